using Microsoft.Extensions.Time.Testing;
using Scenarios.Live;
using Xunit;

namespace PromotionBot.Tests.Mesh;

/// <summary>The simulator's exposition on a fake clock: exact counts, both reporters, the caller's Envoy clusters.</summary>
public sealed class MeshSimulatorTests
{
    private const string V2Cluster = "outbound|9090|v2|orders.shop.svc.cluster.local";

    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 11, 30, 12, 0, 0, TimeSpan.Zero));

    private static MeshService Orders(SubsetBehaviour? v2 = null) =>
        new("shop", "orders", 9090, 100, new Dictionary<string, SubsetBehaviour> { ["v1"] = new(LatencyMs: 30), ["v2"] = v2 ?? new SubsetBehaviour(LatencyMs: 30) });

    private Task<MeshSimulator> StartAsync(MeshService service, Func<string, IReadOnlyDictionary<string, int>?> weights) =>
        MeshSimulator.StartAsync(new MeshOptions([service], weights, _clock));

    private static Dictionary<string, int> Split(int v1, int v2) => new() { ["v1"] = v1, ["v2"] = v2 };

    private static double Requests(IReadOnlyList<Exposed> e, string reporter, string version, string? code = null, string? flags = null) =>
        e.Where(s => s.Name == "istio_requests_total" && s["reporter"] == reporter && s["destination_version"] == version
                     && (code is null || s["response_code"] == code) && (flags is null || s["response_flags"] == flags))
            .Sum(s => s.Value);

    private static double Cluster(IReadOnlyList<Exposed> e, string name, string cluster = V2Cluster, string? extra = null) =>
        e.Single(s => s.Name == name && s["cluster_name"] == cluster && (extra is null || s.Labels.ContainsKey(extra)) && s["pod"].StartsWith("ecommerce-ui-", StringComparison.Ordinal)).Value;

    [Fact]
    public async Task Requests_advance_with_the_clock_split_by_the_live_weights()
    {
        await using var mesh = await StartAsync(Orders(new SubsetBehaviour(ErrorRatio: 0.1, LatencyMs: 30)), _ => Split(75, 25));
        _ = mesh.Render();
        _clock.Advance(TimeSpan.FromSeconds(10));

        var e = Exposed.Parse(mesh.Render());

        foreach (var reporter in new[] { "destination", "source" })
        {
            Assert.Equal(750, Requests(e, reporter, "v1", "200"));
            Assert.Equal(225, Requests(e, reporter, "v2", "200"));
            Assert.Equal(25, Requests(e, reporter, "v2", "500"));
        }

        Assert.Equal(0, Requests(e, "destination", "v1", "500"));
        // The histogram counts the same requests; its buckets are cumulative and end at the count.
        var flow = e.Single(s => s.Name == "istio_requests_total" && s["reporter"] == "destination" && s["destination_version"] == "v2" && s["response_code"] == "200");
        var buckets = e.Where(s => s.Name == "istio_request_duration_milliseconds_bucket" && s["reporter"] == "destination" && s["destination_version"] == "v2" && s["response_code"] == "200").ToList();
        Assert.Equal(20, buckets.Count);
        Assert.Equal("+Inf", buckets[^1]["le"]);
        Assert.Equal(flow.Value, buckets[^1].Value);
        Assert.True(buckets.Zip(buckets.Skip(1)).All(p => p.First.Value <= p.Second.Value));
        Assert.Equal(flow.Value, e.Single(s => s.Name == "istio_request_duration_milliseconds_count" && s["reporter"] == "destination" && s["destination_version"] == "v2" && s["response_code"] == "200").Value);
        // The caller's cluster for v2 saw the 25 errors; the destination series carry the server pod's own labels.
        Assert.Equal(25, Cluster(e, "envoy_cluster_upstream_rq", extra: "response_code_class"));
        Assert.Equal(1, Cluster(e, "envoy_cluster_membership_healthy"));
        Assert.All(e.Where(s => s["reporter"] == "destination"), s => Assert.Equal((s["destination_version"], "orders"), (s["version"], s["app"])));
        Assert.All(e.Where(s => s["reporter"] == "source"), s => Assert.Equal(("v1", "ecommerce-ui"), (s["version"], s["app"])));
    }

    [Fact]
    public async Task A_behaviour_change_counts_the_time_before_it_with_the_old_behaviour()
    {
        await using var mesh = await StartAsync(Orders(), _ => Split(50, 50));
        _ = mesh.Render();
        _clock.Advance(TimeSpan.FromSeconds(10));
        mesh.SetBehaviour("orders", "v2", new SubsetBehaviour(ErrorRatio: 1, ErrorCode: 503));
        _clock.Advance(TimeSpan.FromSeconds(4));

        var e = Exposed.Parse(mesh.Render());

        Assert.Equal(500, Requests(e, "destination", "v2", "200"));
        Assert.Equal(200, Requests(e, "destination", "v2", "503"));
        Assert.Equal(200, Cluster(e, "envoy_cluster_upstream_rq", extra: "response_code"));
        Assert.Equal(503, mesh.GetBehaviour("orders", "v2").ErrorCode);
    }

    [Fact]
    public async Task Ejection_overflow_and_crash_fail_in_the_caller_without_a_destination_version()
    {
        await using var mesh = await StartAsync(Orders(), _ => Split(80, 20));
        _ = mesh.Render();
        mesh.SetBehaviour("orders", "v2", new SubsetBehaviour(Ejected: true, OverflowPerSecond: 2));
        _clock.Advance(TimeSpan.FromSeconds(65));

        var e = Exposed.Parse(mesh.Render());

        Assert.Equal(1, Cluster(e, "envoy_cluster_outlier_detection_ejections_active"));
        // Ejected at once, back after the 30 s base ejection time and ejected again, twice in 65 s.
        Assert.Equal(3, Cluster(e, "envoy_cluster_outlier_detection_ejections_enforced_total"));
        Assert.Equal(130, Cluster(e, "envoy_cluster_upstream_rq_pending_overflow"));
        Assert.Equal(130, Requests(e, "source", "unknown", "503", "UO"));
        // 20 rps for v2, 2 of them rejected: the other 18 find no healthy host.
        Assert.Equal(18 * 65, Requests(e, "source", "unknown", "503", "UH"));
        Assert.Equal(18 * 65, Cluster(e, "envoy_cluster_upstream_cx_none_healthy"));
        Assert.Equal(0, Cluster(e, "envoy_cluster_membership_healthy"));
        Assert.Equal(0, Requests(e, "destination", "v2"));
        Assert.Equal(0, Cluster(e, "envoy_cluster_upstream_rq_pending_overflow", "outbound|9090|v1|orders.shop.svc.cluster.local"));

        mesh.SetBehaviour("orders", "v2", new SubsetBehaviour(Crashed: true));
        _clock.Advance(TimeSpan.FromSeconds(10));
        e = Exposed.Parse(mesh.Render());

        Assert.Equal(0, Cluster(e, "envoy_cluster_outlier_detection_ejections_active"));
        Assert.Equal(0, Cluster(e, "envoy_cluster_membership_total"));
        var failed = Requests(e, "source", "unknown", "503", "UH") - (18 * 65) + Requests(e, "source", "unknown", "503", "UF,URX");
        Assert.Equal(200, failed);
        Assert.Equal(40, Requests(e, "source", "unknown", "503", "UF,URX"));
        Assert.Equal(3 * 40, Cluster(e, "envoy_cluster_upstream_cx_connect_fail"));
        Assert.Equal(0, Requests(e, "destination", "v2"));
    }

    [Fact]
    public async Task An_ejected_subset_rolled_back_to_0_percent_comes_back_after_the_ejection_time()
    {
        IReadOnlyDictionary<string, int> weights = Split(80, 20);
        await using var mesh = await StartAsync(Orders(new SubsetBehaviour(Ejected: true)), _ => weights);
        _ = mesh.Render();
        _clock.Advance(TimeSpan.FromSeconds(10));
        Assert.Equal(1, Cluster(Exposed.Parse(mesh.Render()), "envoy_cluster_outlier_detection_ejections_active"));

        weights = Split(100, 0);
        _clock.Advance(TimeSpan.FromSeconds(15));
        var e = Exposed.Parse(mesh.Render());
        Assert.Equal(1, Cluster(e, "envoy_cluster_outlier_detection_ejections_active"));
        var uh = Requests(e, "source", "unknown", "503", "UH");

        _clock.Advance(TimeSpan.FromSeconds(10));
        e = Exposed.Parse(mesh.Render());

        Assert.Equal(0, Cluster(e, "envoy_cluster_outlier_detection_ejections_active"));
        Assert.Equal(1, Cluster(e, "envoy_cluster_outlier_detection_ejections_enforced_total"));
        Assert.Equal(1, Cluster(e, "envoy_cluster_membership_healthy"));
        Assert.Equal(200, uh);
        Assert.Equal(uh, Requests(e, "source", "unknown", "503", "UH"));
    }

    [Fact]
    public async Task Without_weights_everything_goes_to_the_first_subset_and_a_failing_provider_keeps_the_last_split()
    {
        IReadOnlyDictionary<string, int>? weights = null;
        var broken = false;
        await using var mesh = await StartAsync(Orders(), _ => broken ? throw new HttpRequestException("cluster down") : weights);
        _ = mesh.Render();
        _clock.Advance(TimeSpan.FromSeconds(2));
        Assert.Equal(200, Requests(Exposed.Parse(mesh.Render()), "destination", "v1"));

        weights = Split(0, 100);
        _clock.Advance(TimeSpan.FromSeconds(2));
        _ = mesh.Render();
        broken = true;
        _clock.Advance(TimeSpan.FromSeconds(2));
        var e = Exposed.Parse(mesh.Render());

        Assert.Equal(200, Requests(e, "destination", "v1"));
        Assert.Equal(400, Requests(e, "destination", "v2"));
    }

    [Fact]
    public async Task Pods_each_report_their_share_and_behaviours_change_safely_while_scraped()
    {
        await using var mesh = await StartAsync(Orders(new SubsetBehaviour(Pods: 3)), _ => Split(0, 100));
        _ = mesh.Render();
        var scrapes = Task.Run(async () =>
        {
            using var http = new HttpClient();
            for (var i = 0; i < 50; i++)
            {
                Assert.Contains("istio_requests_total", await http.GetStringAsync(mesh.MetricsUrl), StringComparison.Ordinal);
            }
        });
        for (var i = 0; i < 300; i++)
        {
            mesh.SetBehaviour("orders", "v2", new SubsetBehaviour(Pods: 3, ErrorRatio: i % 2 == 0 ? 0 : 0.5));
            _clock.Advance(TimeSpan.FromMilliseconds(10));
        }

        await scrapes;
        mesh.SetBehaviour("orders", "v2", new SubsetBehaviour(Pods: 3));
        var e = Exposed.Parse(mesh.Render());

        var perPod = e.Where(s => s.Name == "istio_requests_total" && s["reporter"] == "destination" && s["destination_version"] == "v2")
            .GroupBy(s => s["pod"]).Select(g => g.Sum(s => s.Value)).ToList();
        Assert.Equal(3, perPod.Count);
        Assert.Equal(300, perPod.Sum());
        Assert.True(perPod.Max() - perPod.Min() <= 1, string.Join(", ", perPod));
        Assert.Equal(3, Cluster(e, "envoy_cluster_membership_total"));
    }

    [Fact]
    public async Task Unknown_services_and_subsets_are_refused_by_name()
    {
        await using var mesh = await StartAsync(Orders(), _ => null);
        Assert.Contains("orders", Assert.Throws<ArgumentException>(() => mesh.SetBehaviour("payments", "v2", new SubsetBehaviour())).Message, StringComparison.Ordinal);
        Assert.Contains("v1, v2", Assert.Throws<ArgumentException>(() => mesh.GetBehaviour("orders", "v3")).Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => mesh.SetBehaviour("orders", "v2", new SubsetBehaviour(ErrorRatio: 1.5)));
    }
}
