using System.Diagnostics.Metrics;

namespace PromotionBot.Worker;

/// <summary>
/// The worker's instruments (System.Diagnostics.Metrics, meter <see cref="MeterName"/>). Cumulative counts and the
/// per-canary values are observed from <see cref="CycleStatus"/> at scrape time, so a series never depends on a
/// measurement having happened recently; only the duration histogram is recorded as cycles end.
/// Exported names are <c>promotion_</c> + instrument name (see <see cref="Names"/>).
/// </summary>
public sealed class PromotionMetrics
{
    public const string MeterName = "promotion";

    /// <summary>Every metric family /metrics serves (histograms add _bucket, _sum and _count series).</summary>
    public static IReadOnlyList<string> Names { get; } =
    [
        "promotion_cycles_total",
        "promotion_cycle_duration_seconds",
        "promotion_decisions_total",
        "promotion_canary_weight",
        "promotion_canary_error_rate",
        "promotion_pull_requests_open",
        "promotion_leader",
        "promotion_last_cycle_timestamp_seconds",
    ];

    /// <summary>Upper bounds of the cycle duration buckets, seconds: a cycle is a git fetch plus a few dozen queries and API calls.</summary>
    public static IReadOnlyList<double> DurationBuckets { get; } = [0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300];

    private readonly Histogram<double> duration;

    public PromotionMetrics(IMeterFactory meters, CycleStatus status, ILeadership leadership)
    {
        Meter = meters.Create(MeterName);
        duration = Meter.CreateHistogram<double>("cycle_duration_seconds", "s", "Duration of promotion cycles, including abandoned ones");

        Meter.CreateObservableCounter("cycles_total", () => CycleResult.All
            .Select(r => new Measurement<long>(status.Current.Cycles.GetValueOrDefault(r), Tag("result", r))),
            description: "Promotion cycles finished, by result (success, partial, failure)");
        Meter.CreateObservableCounter("decisions_total", () => status.Current.Decisions
            .Select(kv => new Measurement<long>(kv.Value, Tag("canary", kv.Key.Canary), Tag("decision", kv.Key.Decision))),
            description: "Decisions taken per canary (hold, advance, promote, rollback, error), one per cycle");
        Meter.CreateObservableGauge("canary_weight", () => Canaries(status)
            .SelectMany(c => c.Weights.Select(w => new Measurement<int>(w.Value, Tag("canary", c.Canary), Tag("subset", w.Key)))),
            description: "Route weight per subset as committed in git at the last cycle's base commit");
        Meter.CreateObservableGauge("canary_error_rate", () => Canaries(status)
            .SelectMany(c => c.ErrorRates.Where(r => r.Value is not null)
                .Select(r => new Measurement<double>(r.Value!.Value, Tag("canary", c.Canary), Tag("subset", r.Key)))),
            description: "5xx ratio per subset over the policy's analysis window at the last cycle");
        Meter.CreateObservableGauge("pull_requests_open", () => OpenPullRequests(status),
            description: "Bot pull requests open per canary and proposed kind, as the last cycle listed them");
        Meter.CreateObservableGauge("leader", () => leadership.IsLeader ? 1 : 0,
            description: "1 when this replica leads (runs cycles), 0 on a standby");
        Meter.CreateObservableGauge("last_cycle_timestamp_seconds", () => status.Current.LastFinishedAt is { } at
            ? [new Measurement<double>(at.ToUnixTimeMilliseconds() / 1000.0)]
            : Array.Empty<Measurement<double>>(),
            unit: "s", description: "Unix time the last cycle finished");
    }

    public Meter Meter { get; }

    internal void RecordDuration(TimeSpan elapsed) => duration.Record(elapsed.TotalSeconds);

    private static KeyValuePair<string, object?> Tag(string key, string value) => new(key, value);

    private static IEnumerable<PullRequests.CanaryObservation> Canaries(CycleStatus status) =>
        status.Current.LastReport?.Canaries ?? [];

    private static IEnumerable<Measurement<int>> OpenPullRequests(CycleStatus status)
    {
        var report = status.Current.LastReport;
        if (report is null)
        {
            return [];
        }

        // Zero for every judged canary, so "no PR" is a value on the dashboard rather than a gap.
        var counts = report.Canaries.Where(c => c.Decision != "error")
            .SelectMany(c => new[] { "advance", "promote", "rollback" }.Select(k => (c.Canary, Kind: k)))
            .ToDictionary(k => k, _ => 0);
        foreach (var pr in report.OpenPullRequests)
        {
            counts[(pr.Canary, pr.Kind)] = counts.GetValueOrDefault((pr.Canary, pr.Kind)) + 1;
        }

        return counts.Select(kv => new Measurement<int>(kv.Value, Tag("canary", kv.Key.Canary), Tag("kind", kv.Key.Kind)));
    }
}
