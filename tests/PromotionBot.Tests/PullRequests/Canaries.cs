using PromotionBot.Analysis;
using PromotionBot.Manifest;
using PromotionBot.Metrics;
using PromotionBot.Policy;
using PromotionBot.PullRequests;

namespace PromotionBot.Tests.PullRequests;

/// <summary>Builds analysis results the way the analyzer reports them, for plan and body tests that need no I/O.</summary>
internal static class Canaries
{
    public static readonly DateTimeOffset At = new(2026, 11, 25, 12, 0, 0, TimeSpan.Zero);

    public static CanaryPolicy Policy(string name = "product-catalog", string ns = "ecommerce") => new(
        name, ns, name, $"apps/{ns}/{name}/promotion-policy.yaml",
        new VirtualServiceTarget($"apps/{ns}/{name}/virtualservice.yaml", name, null),
        "v1", "v2", [20, 50, 100],
        new AnalysisSettings(TimeSpan.FromMinutes(10), 100, 0.01, 500, TimeSpan.FromMinutes(1), 3, TimeSpan.FromMinutes(2)),
        new CircuitBreakingSettings(true, true));

    public static Dictionary<string, int> W(int v1, int v2) => new() { ["v1"] = v1, ["v2"] = v2 };

    public static CanarySignals Signals(double v2Requests = 400, double v2Errors = 1, double v2P99 = 120) => new(
        At, At.AddSeconds(-15),
        new Dictionary<string, SubsetSignals>
        {
            ["v1"] = new("v1", 1600, 2, 110, 0.001, 105, 0, 0, 0, 0, 0),
            ["v2"] = new("v2", v2Requests, v2Errors, v2P99, v2Errors / v2Requests, v2P99, 0, 0, 0, 0, 0),
        },
        0, null,
        ["sum by (destination_version) (increase(istio_requests_total{reporter=\"destination\",destination_service_name=\"product-catalog\"}[10m]))"]);

    public static CanaryEvaluation Evaluation(DecisionKind kind, (int V1, int V2) current, (int V1, int V2)? next = null,
        HoldReason hold = HoldReason.None, string name = "product-catalog", string reason = "v2 healthy on 400 requests", IReadOnlyList<DecisionCause>? causes = null)
    {
        var policy = Policy(name);
        var checks = new List<CheckResult>
        {
            new("error-rate", "v2", 0.0025, 0.01, kind == DecisionKind.Rollback ? CheckOutcome.Fail : CheckOutcome.Pass, "1 5xx of 400"),
            new("latency-p99", "v2", 120, 500, CheckOutcome.Pass, "p99 120 ms"),
        };
        // The typed cause a real engine would give for this kind of verdict (titles and statuses read it, never the reason text).
        causes ??= kind == DecisionKind.Rollback ? [DecisionCause.ErrorRate] : [];
        var decision = new Decision(kind, hold, W(current.V1, current.V2), next is { } n ? W(n.V1, n.V2) : null, [reason], checks, causes);
        var weights = new RouteWeights(policy.VirtualService.File, [new("v1", current.V1, 10, 15), new("v2", current.V2, 13, 15)]);
        return new CanaryEvaluation(name, policy, weights, Signals(), decision, null);
    }

    public static AnalysisRun Run(params CanaryEvaluation[] evaluations) => new(At, evaluations);

    public static BotPullRequest OpenPr(int number, DecisionKind kind, (int V1, int V2) weights, string name = "product-catalog", string baseSha = "base1")
    {
        var marker = new PullRequestMarker("ecommerce", name, kind, [new("v1", weights.V1), new("v2", weights.V2)], baseSha);
        return new BotPullRequest(number, $"{name}: something", marker.Render() + "\nbody", $"promotion/ecommerce/{name}",
            new string('c', 40), $"https://github.example/acme/gitops/pull/{number}", ["promotion"], marker);
    }
}
