using Scenarios;

namespace PromotionBot.Bench;

/// <summary>
/// A fleet of synthetic canaries: 10 services in each of N/10 namespaces, mostly healthy with a few failing ones mixed in,
/// all evaluated at one time. Each canary lives 6.5 minutes before that time (policy window 5m) to keep the backfill small.
/// </summary>
internal static class BenchFleet
{
    private static readonly string[] Services =
        ["catalog", "orders", "payments", "inventory", "shipping", "profiles", "search", "reviews", "pricing", "notifications"];

    public static IReadOnlyList<CanaryTarget> Targets(int count) =>
        Enumerable.Range(0, count)
            .Select(i => new CanaryTarget($"team-{i / Services.Length:00}", Services[i % Services.Length], 8080 + (i % 3)))
            .ToList();

    public static ScenarioSet Build(IReadOnlyList<CanaryTarget> targets)
    {
        var set = new ScenarioSet();
        for (var i = 0; i < targets.Count; i++)
        {
            var c = set.Canary(targets[i])
                .Starts(TimeSpan.FromMinutes(6.5))
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
