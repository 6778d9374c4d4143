using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Scenarios;
using Xunit;
using static PromotionBot.Tests.Scenarios.ScenarioCatalog;

namespace PromotionBot.Tests.Scenarios;

/// <summary>
/// The real analyze path (CLI → policy loader → VirtualService reader → Prometheus HTTP → decision → JSON) against a real
/// Prometheus holding backfilled Istio telemetry. Decisions are asserted exactly, counts loosely (rate extrapolation).
/// </summary>
[Collection(PrometheusScenarioCollection.Name)]
public sealed class AnalyzeScenarioTests(PrometheusScenarioFixture fixture)
{
    private static readonly Dictionary<string, int> Rollback = new() { ["v1"] = 100, ["v2"] = 0 };

    private async Task<JsonElement> JudgeAsync(CanaryTarget target, int stable, int canary, DateTimeOffset? at = null)
    {
        using var repo = new CanaryRepo().Add(target.Namespace, target, stable, canary);
        var run = await AnalyzeRun.InvokeAsync(repo.Root, fixture.BaseUrl, at ?? fixture.At);
        Assert.True(run.ExitCode == 0, $"exit {run.ExitCode}: {run.Stderr}\n{run.Json}");
        return run.Canary(target.Namespace);
    }

    [Fact]
    public async Task HealthyCanaryAdvancesToTheNextStep()
    {
        var c = await JudgeAsync(Healthy, 80, 20);
        Assert.True(c.Decision() == "advance", c.Explain());
        Assert.Equal(new Dictionary<string, int> { ["v1"] = 50, ["v2"] = 50 }, c.NextWeights());
        Assert.InRange(c.Requests("v2"), CanaryRps * 600 * 0.9, CanaryRps * 600 * 1.1);
        Assert.InRange(c.Requests("v1"), StableRps * 600 * 0.9, StableRps * 600 * 1.1);
        Assert.DoesNotContain(c.Checks(), k => k.Result == "fail");
    }

    [Fact]
    public async Task HealthyCanaryAtHalfIsPromotedToEverything()
    {
        var c = await JudgeAsync(HealthyAtHalf, 50, 50);
        Assert.True(c.Decision() == "promote", c.Explain());
        Assert.Equal(new Dictionary<string, int> { ["v1"] = 0, ["v2"] = 100 }, c.NextWeights());
    }

    [Fact]
    public async Task CanaryThatNeverAnsweredAnErrorIsJudgedNotMissingData()
    {
        // Istio creates a response_code="5xx" series only after the first 5xx: a flawless canary has none at all.
        var c = await JudgeAsync(Flawless, 80, 20);
        Assert.True(c.Decision() == "advance", c.Explain());
    }

    [Fact]
    public async Task CanaryServingFiveHundredsIsRolledBack()
    {
        var c = await JudgeAsync(CanaryErrors, 80, 20);
        Assert.True(c.Decision() == "rollback", c.Explain());
        Assert.Equal(Rollback, c.NextWeights());
        Assert.Contains(c.Checks(), k => k.Subset == "v2" && k.Result == "fail");
    }

    [Fact]
    public async Task LatencyRegressionIsRolledBack()
    {
        var c = await JudgeAsync(SlowCanary, 80, 20);
        Assert.True(c.Decision() == "rollback", c.Explain());
        Assert.Equal(Rollback, c.NextWeights());
    }

    [Fact]
    public async Task OutlierEjectionIsRolledBackEvenThoughTheCanaryNoLongerGetsTraffic()
    {
        var c = await JudgeAsync(EjectedCanary, 80, 20);
        Assert.True(c.Decision() == "rollback", c.Explain());
        Assert.Equal(Rollback, c.NextWeights());
    }

    [Fact]
    public async Task ConnectionPoolOverflowIsRolledBack()
    {
        var c = await JudgeAsync(OverflowingCanary, 80, 20);
        Assert.True(c.Decision() == "rollback", c.Explain());
        Assert.Equal(Rollback, c.NextWeights());
    }

    [Fact]
    public async Task CanaryWithoutAnyTrafficHolds()
    {
        var c = await JudgeAsync(NoCanary, 80, 20);
        Assert.True(c.Decision() == "hold" && c.HoldReason() == "no-traffic", c.Explain());
        Assert.Null(c.NextWeights());
    }

    [Fact]
    public async Task AHandfulOfRequestsIsTooLittleTraffic()
    {
        var c = await JudgeAsync(Trickle, 80, 20);
        Assert.True(c.Decision() == "hold" && c.HoldReason() == "too-little-traffic", c.Explain());
        Assert.InRange(c.Requests("v2"), 1, 99);
    }

    [Fact]
    public async Task DataThatStoppedHalfAnHourAgoIsStale()
    {
        var c = await JudgeAsync(Stale, 80, 20);
        Assert.True(c.Decision() == "hold" && c.HoldReason() == "metrics-stale", c.Explain());
    }

    [Fact]
    public async Task StableErrorsAreNotBlamedOnTheCanary()
    {
        var c = await JudgeAsync(StableErrors, 80, 20);
        Assert.True(c.Decision() != "rollback", c.Explain());
        Assert.DoesNotContain(c.Checks(), k => k.Subset == "v2" && k.Result == "fail");
    }

    [Fact]
    public async Task AShortBurstOfErrorsHoldsInsteadOfRollingBack()
    {
        var c = await JudgeAsync(Blip, 80, 20);
        Assert.True(c.Decision() == "hold" && c.HoldReason() == "breach-not-persistent", c.Explain());
    }

    [Fact]
    public async Task RestartedPodsAreMeasuredThroughTheCounterReset()
    {
        var c = await JudgeAsync(Restarted, 80, 20);
        Assert.True(c.Decision() == "advance", c.Explain());
        Assert.InRange(c.Requests("v2"), CanaryRps * 600 * 0.9, CanaryRps * 600 * 1.1);
    }

    [Fact]
    public async Task PrometheusNotListeningNeverAdvances()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var closedPort = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();

        using var repo = new CanaryRepo().Add("healthy", Healthy, 80, 20);
        var run = await AnalyzeRun.InvokeAsync(repo.Root, new Uri($"http://127.0.0.1:{closedPort}/"), fixture.At);
        var c = run.Canary("healthy");
        var error = c.GetProperty("error").GetString();
        Assert.True(error is not null || (c.Decision() == "hold" && c.HoldReason() == "metrics-unavailable"), c.Explain());
        Assert.Null(c.NextWeights());
    }

    [Fact]
    public async Task SameInputsGiveByteIdenticalJson()
    {
        using var repo = new CanaryRepo()
            .Add("healthy", Healthy, 80, 20)
            .Add("canary-5xx", CanaryErrors, 80, 20)
            .Add("canary-blip", Blip, 80, 20)
            .Add("no-canary", NoCanary, 80, 20);
        var first = await AnalyzeRun.InvokeAsync(repo.Root, fixture.BaseUrl, fixture.At);
        var second = await AnalyzeRun.InvokeAsync(repo.Root, fixture.BaseUrl, fixture.At);
        Assert.Equal(0, first.ExitCode);
        Assert.Equal(first.Json, second.Json);
        Assert.Equal(4, JsonDocument.Parse(first.Json).RootElement.GetProperty("canaries").GetArrayLength());
    }

    [Fact]
    public async Task MalformedPolicyIsReportedWithFileAndLineWhileOthersAreStillJudged()
    {
        var broken = CanaryRepo.Policy("broken", CanaryErrors, maxErrorRate: "one-percent");
        var badLine = Array.FindIndex(broken.Split('\n'), l => l.Contains("one-percent", StringComparison.Ordinal)) + 1;
        using var repo = new CanaryRepo()
            .Add("healthy", Healthy, 80, 20)
            .Add("broken", CanaryErrors, 80, 20, broken);

        var run = await AnalyzeRun.InvokeAsync(repo.Root, fixture.BaseUrl, fixture.At);
        Assert.Equal(1, run.ExitCode);
        var healthy = run.Canary("healthy");
        Assert.True(healthy.Decision() == "advance", healthy.Explain());

        using var doc = JsonDocument.Parse(run.Json);
        var failed = Assert.Single(doc.RootElement.GetProperty("canaries").EnumerateArray(), c => c.GetProperty("error").ValueKind != JsonValueKind.Null);
        var error = failed.GetProperty("error").GetString()!;
        Assert.Contains($"apps/broken/promotion-policy.yaml:{badLine}:", error, StringComparison.Ordinal);
        Assert.Equal(JsonValueKind.Null, failed.GetProperty("decision").ValueKind);
    }

    private static string[] Causes(JsonElement c) => c.GetProperty("causes").EnumerateArray().Select(e => e.GetString()!).ToArray();

    [Fact]
    public async Task CrashLoopingCanaryIsRolledBackOnFailuresBeforeReachingIt()
    {
        var c = await JudgeAsync(CrashLooping, 80, 20);
        Assert.True(c.Decision() == "rollback", c.Explain());
        Assert.Equal(Rollback, c.NextWeights());
        Assert.Contains("upstream-failures", Causes(c));
        var reason = c.GetProperty("reasons")[0].GetString()!;
        Assert.Contains("UH", reason, StringComparison.Ordinal);
        Assert.Contains("UF,URX", reason, StringComparison.Ordinal);
        Assert.Contains(c.Checks(), k => k is { Name: "failures-before-reaching", Subset: "v2", Result: "fail" });
    }

    [Fact]
    public async Task NeverReadyCanaryIsRolledBackForNoHealthyEndpoints()
    {
        var c = await JudgeAsync(NeverReady, 80, 20);
        Assert.True(c.Decision() == "rollback", c.Explain());
        Assert.Contains("no-healthy-endpoints", Causes(c));
        Assert.Contains("healthy endpoints 0/0", c.GetProperty("reasons")[0].GetString()!, StringComparison.Ordinal);
        Assert.Contains(c.Checks(), k => k is { Name: "healthy-endpoints", Subset: "v2", Result: "fail" });
    }

    [Fact]
    public async Task NeverReadyCanaryAtZeroPercentHolds()
    {
        var c = await JudgeAsync(NeverReady, 100, 0);
        Assert.True(c.Decision() == "hold" && c.HoldReason() == "rolled-back", c.Explain());
    }

    [Fact]
    public async Task CanaryWorseThanStableUnderTheCeilingIsRolledBack()
    {
        var c = await JudgeAsync(WorseThanStable, 80, 20);
        Assert.True(c.Decision() == "rollback", c.Explain());
        Assert.Equal(["worse-than-stable"], Causes(c));
        Assert.DoesNotContain(c.Checks(), k => k is { Name: "error-rate", Subset: "v2", Result: "fail" });
        var cmp = c.GetProperty("comparison");
        Assert.Equal("worse", cmp.GetProperty("verdict").GetString());
        Assert.True(cmp.GetProperty("lower").GetDouble() > 0.005, c.Explain());
        Assert.InRange(cmp.GetProperty("difference").GetDouble(), 0.007, 0.009);
        Assert.Contains("more than the allowed +0.50 pp", cmp.GetProperty("text").GetString()!, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CanaryEqualToStableAdvances()
    {
        var c = await JudgeAsync(EqualToStable, 80, 20);
        Assert.True(c.Decision() == "advance", c.Explain());
        var cmp = c.GetProperty("comparison");
        Assert.Equal("not-worse", cmp.GetProperty("verdict").GetString());
        Assert.True(cmp.GetProperty("upper").GetDouble() <= 0.005, c.Explain());
    }

    [Fact]
    public async Task StableWorseThanCanaryDoesNotHoldTheCanaryBack()
    {
        var c = await JudgeAsync(StableWorse, 80, 20);
        Assert.True(c.Decision() == "advance", c.Explain());
        Assert.True(c.GetProperty("comparison").GetProperty("difference").GetDouble() < 0, c.Explain());
    }

    [Theory]
    [InlineData("healthy", "advance")]
    [InlineData("canary-5xx", "rollback")]
    [InlineData("canary-blip", "hold")]
    [InlineData("canary-worse", "rollback")]
    [InlineData("canary-crashloop", "rollback")]
    public async Task ReplaysSevenSecondsLaterGiveTheSameVerdict(string ns, string decision)
    {
        // Persistence intervals are offsets from --at, not epoch-aligned steps: T and T + 7 s see the same intervals shifted by 7 s.
        var target = new CanaryTarget(ns, Service, Port);
        var atT = await JudgeAsync(target, 80, 20);
        var later = await JudgeAsync(target, 80, 20, fixture.At.AddSeconds(7));
        Assert.True(atT.Decision() == decision, atT.Explain());
        Assert.True(later.Decision() == decision, later.Explain());
        Assert.Equal(atT.HoldReason(), later.HoldReason());
        Assert.Equal(Causes(atT), Causes(later));
    }

    [Fact]
    public async Task PolicyWhoseDestinationRuleCannotProduceItsSignalIsAnErrorNamingBothFilesWhileOthersAreStillJudged()
    {
        // The canary's DestinationRule has both subsets and a connection pool, but no outlierDetection.
        var withoutOutlierDetection = CanaryRepo.DestinationRule(CanaryErrors).Replace("    outlierDetection:\n      consecutive5xxErrors: 5\n      interval: 30s\n      baseEjectionTime: 30s\n", "", StringComparison.Ordinal);
        Assert.DoesNotContain("outlierDetection", withoutOutlierDetection, StringComparison.Ordinal);
        using var repo = new CanaryRepo()
            .Add("healthy", Healthy, 80, 20)
            .Add("no-ejection-stats", CanaryErrors, 80, 20, destinationRuleOverride: withoutOutlierDetection);
        var outlierLine = Array.FindIndex(CanaryRepo.Policy("no-ejection-stats", CanaryErrors).Split('\n'), l => l.Contains("outlierEjection", StringComparison.Ordinal)) + 1;

        var run = await AnalyzeRun.InvokeAsync(repo.Root, fixture.BaseUrl, fixture.At);

        Assert.Equal(1, run.ExitCode);
        var healthy = run.Canary("healthy");
        Assert.True(healthy.Decision() == "advance", healthy.Explain());
        using var doc = JsonDocument.Parse(run.Json);
        var failed = Assert.Single(doc.RootElement.GetProperty("canaries").EnumerateArray(), c => c.GetProperty("error").ValueKind != JsonValueKind.Null);
        var error = failed.GetProperty("error").GetString()!;
        Assert.Contains($"apps/no-ejection-stats/promotion-policy.yaml:{outlierLine}:", error, StringComparison.Ordinal);
        Assert.Contains("apps/no-ejection-stats/destination-rule.yaml:1", error, StringComparison.Ordinal);
        Assert.Contains("no outlierDetection on subset 'v2'", error, StringComparison.Ordinal);
        Assert.DoesNotContain("connectionPool", error, StringComparison.Ordinal); // that check has its feature
        Assert.Equal(JsonValueKind.Null, failed.GetProperty("decision").ValueKind);
    }
}
