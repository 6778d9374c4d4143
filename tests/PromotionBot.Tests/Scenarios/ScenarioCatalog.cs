using Scenarios;
using Scenarios.Catalog;

namespace PromotionBot.Tests.Scenarios;

/// <summary>
/// Every canary the scenario tests judge, each in its own namespace so one backfilled Prometheus serves all of them.
/// Rates are per second; the policy window is 10 minutes, so a 2 rps canary serves about 1200 requests in it.
/// </summary>
internal static class ScenarioCatalog
{
    public const string Service = "product-catalog";
    public const int Port = 3001;

    public static readonly CanaryTarget Healthy = Target("healthy");
    public static readonly CanaryTarget HealthyAtHalf = Target("healthy-half");
    public static readonly CanaryTarget Flawless = Target("flawless");
    public static readonly CanaryTarget CanaryErrors = Target("canary-5xx");
    public static readonly CanaryTarget SlowCanary = Target("canary-slow");
    public static readonly CanaryTarget EjectedCanary = Target("canary-ejected");
    public static readonly CanaryTarget OverflowingCanary = Target("canary-overflow");
    public static readonly CanaryTarget NoCanary = Target("no-canary");
    public static readonly CanaryTarget Trickle = Target("trickle");
    public static readonly CanaryTarget Stale = Target("stale");
    public static readonly CanaryTarget StableErrors = Target("stable-5xx");
    public static readonly CanaryTarget Blip = Target("canary-blip");
    public static readonly CanaryTarget Restarted = Target("restarted");

    public static ScenarioSet Build()
    {
        var set = new ScenarioSet();
        Healthy80To20(set.Canary(Healthy));
        Healthy80To20(set.Canary(HealthyAtHalf)).Traffic("v1", 5, errorRatio: 0.001, latencyMs: 30).Traffic("v2", 5, errorRatio: 0.001, latencyMs: 35);
        set.Canary(Flawless).Traffic("v1", 8, latencyMs: 30).Traffic("v2", 2, latencyMs: 35);

        Healthy80To20(set.Canary(CanaryErrors)).Traffic("v2", 2, errorRatio: 0.08, latencyMs: 35);
        Healthy80To20(set.Canary(SlowCanary)).Traffic("v2", 2, latencyMs: 700);

        // v2 fails for a while, the caller's Envoy ejects its only pod, and from then on v2 gets no traffic at all.
        Healthy80To20(set.Canary(EjectedCanary))
            .During(TimeSpan.FromMinutes(6), TimeSpan.FromMinutes(4), "v2", t => t with { ErrorRatio = 0.5, ErrorCode = 503 })
            .LastMinutes(4, "v2", t => t with { RequestsPerSecond = 0, EjectedHosts = 1 });

        // v2 itself answers fine, but its connection pool overflows: the caller answers UO 503s locally.
        Healthy80To20(set.Canary(OverflowingCanary)).LastMinutes(8, "v2", t => t with { OverflowPerSecond = 0.5 });

        set.Canary(NoCanary).Traffic("v1", 10, latencyMs: 30).WithoutCanary();
        Healthy80To20(set.Canary(Trickle)).Traffic("v2", 0.05, latencyMs: 35);
        Healthy80To20(set.Canary(Stale)).Starts(TimeSpan.FromMinutes(50)).Stops(TimeSpan.FromMinutes(30));
        Healthy80To20(set.Canary(StableErrors)).Traffic("v1", 8, errorRatio: 0.1, latencyMs: 30);

        // A one-minute 5xx burst at the very end: the 10m ratio breaches, but only one interval does.
        Healthy80To20(set.Canary(Blip)).LastMinutes(1, "v2", t => t with { ErrorRatio = 0.6 });

        // Both pods restart mid-window: raw counters drop to zero, rate/increase must see through it.
        Healthy80To20(set.Canary(Restarted)).RestartAt("v2", TimeSpan.FromMinutes(5)).RestartAt("v1", TimeSpan.FromMinutes(7.1));

        // The repository's own two canaries (namespace ecommerce), judged with the real apps/ policies.
        TutorialScenario.AddTo(set);
        return set;
    }

    private static CanaryScenario Healthy80To20(CanaryScenario c) =>
        c.Traffic("v1", 8, errorRatio: 0.001, latencyMs: 30).Traffic("v2", 2, errorRatio: 0.001, latencyMs: 35);

    private static CanaryTarget Target(string ns) => new(ns, Service, Port);
}
