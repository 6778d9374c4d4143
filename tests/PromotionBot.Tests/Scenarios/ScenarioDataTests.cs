using Xunit;
using static PromotionBot.Tests.Scenarios.ScenarioCatalog;

namespace PromotionBot.Tests.Scenarios;

/// <summary>
/// The backfilled telemetry looks like a real Istio Prometheus: checked with plain PromQL over HTTP, independent of the bot,
/// so an analyze test failure can be told apart from a fixture bug.
/// </summary>
[Collection(PrometheusScenarioCollection.Name)]
public sealed class ScenarioDataTests(PrometheusScenarioFixture fixture) : IDisposable
{
    private readonly PromQl _q = new(fixture.BaseUrl, fixture.At);

    private static string Dest(string ns, string extra = "") =>
        $"reporter=\"destination\",destination_service_namespace=\"{ns}\",destination_service_name=\"{ScenarioCatalog.Service}\"{extra}";

    [Fact]
    public async Task DestinationRequestsOverTheWindowMatchTheGeneratedRates()
    {
        var v1 = await _q.ScalarAsync($"sum(increase(istio_requests_total{{{Dest("healthy", ",destination_version=\"v1\"")}}}[10m]))");
        var v2 = await _q.ScalarAsync($"sum(increase(istio_requests_total{{{Dest("healthy", ",destination_version=\"v2\"")}}}[10m]))");
        Assert.InRange(v1!.Value, StableRps * 600 * 0.9, StableRps * 600 * 1.1);
        Assert.InRange(v2!.Value, CanaryRps * 600 * 0.9, CanaryRps * 600 * 1.1);
    }

    [Fact]
    public async Task CounterResetsAreInvisibleToIncrease()
    {
        var resets = await _q.ScalarAsync($"sum(resets(istio_requests_total{{{Dest("restarted", ",destination_version=\"v2\"")}}}[10m]))");
        Assert.True(resets >= 1, "the restarted pod's counter should drop");
        var v2 = await _q.ScalarAsync($"sum(increase(istio_requests_total{{{Dest("restarted", ",destination_version=\"v2\"")}}}[10m]))");
        Assert.InRange(v2!.Value, CanaryRps * 600 * 0.9, CanaryRps * 600 * 1.1);
    }

    [Fact]
    public async Task HistogramCountEqualsRequestCounterAndP99SeparatesSlowFromFast()
    {
        var count = await _q.ScalarAsync($"sum(istio_request_duration_milliseconds_count{{{Dest("healthy")}}})");
        var requests = await _q.ScalarAsync($"sum(istio_requests_total{{{Dest("healthy")}}})");
        Assert.Equal(requests, count);

        string P99(string ns) =>
            $"histogram_quantile(0.99, sum by (le) (rate(istio_request_duration_milliseconds_bucket{{{Dest(ns, ",destination_version=\"v2\"")}}}[10m])))";
        Assert.InRange((await _q.ScalarAsync(P99("healthy")))!.Value, 1, 500);
        Assert.True((await _q.ScalarAsync(P99("canary-slow")))!.Value > 1000);
    }

    [Fact]
    public async Task OverflowIsASourceSideUO503WithUnknownDestinationAndAClusterCounterWithoutTotal()
    {
        var uo = await _q.VectorAsync(
            "sum by (reporter, destination_version, destination_workload, response_code) (increase(istio_requests_total{destination_service_namespace=\"canary-overflow\",destination_service_name=\"product-catalog\",response_flags=~\".*UO.*\"}[10m]))");
        var only = Assert.Single(uo);
        Assert.Equal("source", only.Labels["reporter"]);
        Assert.Equal("unknown", only.Labels["destination_version"]);
        Assert.Equal("unknown", only.Labels["destination_workload"]);
        Assert.Equal("503", only.Labels["response_code"]);
        Assert.InRange(only.Value, 0.5 * 480 * 0.85, 0.5 * 480 * 1.15);

        var cluster = "outbound|3001|v2|product-catalog.canary-overflow.svc.cluster.local";
        var pending = await _q.ScalarAsync($"sum(increase(envoy_cluster_upstream_rq_pending_overflow{{cluster_name=\"{cluster}\"}}[10m]))");
        Assert.InRange(pending!.Value, 0.5 * 480 * 0.85, 0.5 * 480 * 1.15);
        Assert.Empty(await _q.VectorAsync("envoy_cluster_upstream_rq_pending_overflow_total"));
        var stable = await _q.ScalarAsync(
            "sum(increase(envoy_cluster_upstream_rq_pending_overflow{cluster_name=\"outbound|3001|v1|product-catalog.canary-overflow.svc.cluster.local\"}[10m]))");
        Assert.Equal(0, stable);
    }

    [Fact]
    public async Task EjectedCanaryHasAnActiveEjectionAndNoRecentTraffic()
    {
        var cluster = "outbound|3001|v2|product-catalog.canary-ejected.svc.cluster.local";
        Assert.Equal(1, await _q.ScalarAsync($"max(envoy_cluster_outlier_detection_ejections_active{{cluster_name=\"{cluster}\"}})"));
        Assert.InRange((await _q.ScalarAsync($"sum(increase(envoy_cluster_outlier_detection_ejections_enforced_total{{cluster_name=\"{cluster}\"}}[10m]))"))!.Value, 0.9, 1.1);
        Assert.Equal(0, await _q.ScalarAsync($"sum(increase(istio_requests_total{{{Dest("canary-ejected", ",destination_version=\"v2\"")}}}[3m]))"));
    }

    [Fact]
    public async Task SourceSeriesCarryTheCallersScrapeVersionNotTheDestinationVersion()
    {
        var series = await _q.VectorAsync(
            "count by (version, destination_version) (istio_requests_total{reporter=\"source\",destination_service_namespace=\"healthy\",destination_service_name=\"product-catalog\"})");
        Assert.NotEmpty(series);
        Assert.All(series, s => Assert.NotEqual(s.Labels["destination_version"], s.Labels["version"]));
        Assert.Contains(series, s => s.Labels["destination_version"] == "v2");
    }

    [Fact]
    public async Task WithoutCanaryThereIsNoV2SeriesAndStaleDataEndsThirtyMinutesEarly()
    {
        Assert.Empty(await _q.VectorAsync("last_over_time(istio_requests_total{destination_service_namespace=\"no-canary\",destination_service_name=\"product-catalog\",destination_version=\"v2\"}[1h])"));
        var newest = await _q.ScalarAsync("max(max_over_time(timestamp(istio_requests_total{destination_service_namespace=\"stale\",destination_service_name=\"product-catalog\"})[1h:15s]))");
        var age = fixture.At.ToUnixTimeSeconds() - newest!.Value;
        Assert.InRange(age, 30 * 60, 31 * 60);
    }

    public void Dispose() => _q.Dispose();
}
