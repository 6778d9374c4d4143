using Scenarios;
using Scenarios.Catalog;

namespace PromotionBot.Tests.Scenarios;

/// <summary>
/// Every canary the scenario tests judge, each in its own namespace so one backfilled Prometheus serves all of them.
/// Rates are per second; the policy window is 10 minutes, so a 10 rps canary serves about 6000 requests in it — enough for
/// the v2-versus-v1 comparison to show, at 99 %, that a canary as good as the stable is no worse by more than 0.5 pp.
/// </summary>
internal static class ScenarioCatalog
{
    public const string Service = "product-catalog";
    public const int Port = 3001;
    public const double StableRps = 40;
    public const double CanaryRps = 10;

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
    public static readonly CanaryTarget CrashLooping = Target("canary-crashloop");
    public static readonly CanaryTarget NeverReady = Target("canary-never-ready");
    public static readonly CanaryTarget WorseThanStable = Target("canary-worse");
    public static readonly CanaryTarget EqualToStable = Target("canary-equal");
    public static readonly CanaryTarget StableWorse = Target("stable-worse");

    public static ScenarioSet Build()
    {
        var set = new ScenarioSet();
        Healthy80To20(set.Canary(Healthy));
        Healthy80To20(set.Canary(HealthyAtHalf)).Traffic("v1", 25, errorRatio: 0.001, latencyMs: 30).Traffic("v2", 25, errorRatio: 0.001, latencyMs: 35);
        set.Canary(Flawless).Traffic("v1", StableRps, latencyMs: 30).Traffic("v2", CanaryRps, latencyMs: 35);

        Healthy80To20(set.Canary(CanaryErrors)).Traffic("v2", CanaryRps, errorRatio: 0.08, latencyMs: 35);
        Healthy80To20(set.Canary(SlowCanary)).Traffic("v2", CanaryRps, latencyMs: 700);

        // v2 fails for a while, the caller's Envoy ejects its only pod, and from then on v2 gets no traffic at all.
        Healthy80To20(set.Canary(EjectedCanary))
            .During(TimeSpan.FromMinutes(6), TimeSpan.FromMinutes(4), "v2", t => t with { ErrorRatio = 0.5, ErrorCode = 503 })
            .LastMinutes(4, "v2", t => t with { RequestsPerSecond = 0, EjectedHosts = 1 });

        // v2 itself answers fine, but its connection pool overflows: the caller answers UO 503s locally.
        Healthy80To20(set.Canary(OverflowingCanary)).LastMinutes(8, "v2", t => t with { OverflowPerSecond = 0.5 });

        set.Canary(NoCanary).Traffic("v1", StableRps + CanaryRps, latencyMs: 30).WithoutCanary();
        Healthy80To20(set.Canary(Trickle)).Traffic("v2", 0.05, latencyMs: 35);
        Healthy80To20(set.Canary(Stale)).Starts(TimeSpan.FromMinutes(50)).Stops(TimeSpan.FromMinutes(30));
        Healthy80To20(set.Canary(StableErrors)).Traffic("v1", StableRps, errorRatio: 0.1, latencyMs: 30);

        // A one-minute 5xx burst at the very end: the 10m ratio breaches, but only one interval does.
        Healthy80To20(set.Canary(Blip)).LastMinutes(1, "v2", t => t with { ErrorRatio = 0.6 });

        // Both pods restart mid-window: raw counters drop to zero, rate/increase must see through it.
        Healthy80To20(set.Canary(Restarted)).RestartAt("v2", TimeSpan.FromMinutes(5)).RestartAt("v1", TimeSpan.FromMinutes(7.1));

        // v2 pods crash-loop: ready one scrape in four, so some requests are served, the rest fail in the caller's proxy
        // (UH while no pod is ready, UF,URX when a pod dies mid-connect). No v2 pod ever reports those failures.
        Healthy80To20(set.Canary(CrashLooping))
            .Traffic("v2", 2, latencyMs: 35)
            .LastMinutes(15, "v2", t => t with { Flapping = true, NoHealthyPerSecond = 5, ConnectFailPerSecond = 3 });

        // v2 pods never pass readiness: EDS has no v2 endpoint, every request routed to v2 is a UH 503 from the caller.
        Healthy80To20(set.Canary(NeverReady))
            .Traffic("v2", 0)
            .LastMinutes(15, "v2", t => t with { Endpoints = 0, NoHealthyPerSecond = CanaryRps });

        // Both under the 1 % ceiling, but v2 0.9 % vs v1 0.1 %: +0.8 pp, significant at 99 % on this much traffic.
        set.Canary(WorseThanStable).Traffic("v1", 120, errorRatio: 0.001, latencyMs: 30).Traffic("v2", 30, errorRatio: 0.009, latencyMs: 35);

        // Same error rate on both sides: the comparison shows v2 is no worse by more than 0.5 pp.
        set.Canary(EqualToStable).Traffic("v1", StableRps, errorRatio: 0.003, latencyMs: 30).Traffic("v2", CanaryRps, errorRatio: 0.003, latencyMs: 35);

        // v1 worse than v2 (both under the ceiling): never held against v2.
        set.Canary(StableWorse).Traffic("v1", StableRps, errorRatio: 0.008, latencyMs: 30).Traffic("v2", CanaryRps, errorRatio: 0.001, latencyMs: 35);

        // The repository's own two canaries (namespace ecommerce), judged with the real apps/ policies.
        TutorialScenario.AddTo(set);
        return set;
    }

    private static CanaryScenario Healthy80To20(CanaryScenario c) =>
        c.Traffic("v1", StableRps, errorRatio: 0.001, latencyMs: 30).Traffic("v2", CanaryRps, errorRatio: 0.001, latencyMs: 35);

    private static CanaryTarget Target(string ns) => new(ns, Service, Port);
}
