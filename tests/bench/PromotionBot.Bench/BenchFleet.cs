using Scenarios;

namespace PromotionBot.Bench;

/// <summary>
/// A fleet of synthetic canaries: 10 services in each of N/10 namespaces, mostly healthy with a few failing ones mixed in,
/// all evaluated at one time. Each canary lives 8 minutes before that time (windows up to 5m, looked at up to 3 intervals
/// back) to keep the backfill small.
/// </summary>
internal static class BenchFleet
{
    /// <summary>Five (window, interval, failureThreshold) groups, assigned round-robin.</summary>
    public static readonly IReadOnlyList<(string Window, string Interval, int FailureThreshold)> Timings =
        [("5m", "1m", 3), ("4m", "1m", 2), ("5m", "30s", 4), ("3m", "1m", 3), ("5m", "2m", 1)];

    private static readonly string[] Services =
        ["catalog", "orders", "payments", "inventory", "shipping", "profiles", "search", "reviews", "pricing", "notifications"];

    public static IReadOnlyList<CanaryTarget> Targets(int count) =>
        Enumerable.Range(0, count)
            .Select(i => new CanaryTarget($"team-{i / Services.Length:00}", Services[i % Services.Length], 8080 + (i % 3)))
            .ToList();

    /// <summary>A repository with one policy per target, the timing groups assigned round-robin.</summary>
    public static CanaryRepo Repository(IEnumerable<CanaryTarget> targets)
    {
        var repo = new CanaryRepo();
        var index = 0;
        foreach (var t in targets)
        {
            // Five different timing groups across the fleet: the query count must not depend on them.
            var (window, interval, threshold) = Timings[index++ % Timings.Count];
            repo.Add($"{t.Namespace}-{t.Service}", t, 80, 20, window: window, interval: interval, failureThreshold: threshold);
        }

        return repo;
    }

    public static ScenarioSet Build(IReadOnlyList<CanaryTarget> targets)
    {
        var set = new ScenarioSet();
        for (var i = 0; i < targets.Count; i++)
        {
            var c = set.Canary(targets[i])
                .Starts(TimeSpan.FromMinutes(8))
                .Traffic("v1", 5 * (4 + (i % 5)), errorRatio: 0.001, latencyMs: 20 + (i % 7) * 5)
                .Traffic("v2", 5 * (4 + (i % 3)), errorRatio: 0.001, latencyMs: 25 + (i % 7) * 5);
            _ = (i % 25) switch
            {
                3 => c.Traffic("v2", 1, errorRatio: 0.1, latencyMs: 30),
                11 => c.Traffic("v2", 1, errorRatio: 0.001, latencyMs: 900),
                17 => c.LastMinutes(4, "v2", t => t with { OverflowPerSecond = 0.3 }),
                _ => c,
            };
        }

        return set;
    }
}
