using Prometheus;

namespace PromotionBot.Worker;

/// <summary>
/// Bridges the worker's meter into a registry of its own for /metrics (prometheus-net's MeterAdapter).
/// Its own registry, not prometheus-net's static default one: only the bot's instruments are served (no adapter
/// listening to every meter in the process) and two hosts in one process (tests) never share series.
/// </summary>
public sealed class MetricsExport : IDisposable
{
    private readonly IDisposable adapter;

    public MetricsExport(PromotionMetrics metrics, CycleSchedule schedule, TimeProvider time)
    {
        Registry = Prometheus.Metrics.NewCustomRegistry();
        adapter = MeterAdapter.StartListening(new MeterAdapterOptions
        {
            Registry = Registry,
            MetricFactory = Prometheus.Metrics.WithCustomRegistry(Registry),
            InstrumentFilterPredicate = instrument => ReferenceEquals(instrument.Meter, metrics.Meter),
            ResolveHistogramBuckets = _ => [.. PromotionMetrics.DurationBuckets],
            // The adapter drops a series not updated for this long. Observed instruments refresh on every scrape; the
            // duration histogram only when a cycle ends, so keep series well beyond a schedule period (prometheus-net
            // accepts at most one day).
            MetricsExpireAfter = ExpiryFor(schedule.PeriodAt(time.GetUtcNow())),
        });
    }

    public CollectorRegistry Registry { get; }

    internal static TimeSpan ExpiryFor(TimeSpan period)
    {
        var floor = TimeSpan.FromMinutes(10);
        // prometheus-net refuses an expiry above one day (ArgumentOutOfRangeException at start), so a daily or
        // rarer schedule must not ask for more.
        var cap = TimeSpan.FromDays(1);
        if (period >= cap / 4)
        {
            return cap;
        }

        return period * 4 > floor ? period * 4 : floor;
    }

    public void Dispose() => adapter.Dispose();
}
