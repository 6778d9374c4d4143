using System.Globalization;
using System.Text;

namespace DetectionLatency;

/// <summary>The final table: fault kind | trigger | n | min | median | max seconds (fault onset → rollback PR opened), and where the time went.</summary>
public static class LatencyTable
{
    public static string Render(IReadOnlyList<Measurement> measurements)
    {
        var sb = new StringBuilder();
        sb.AppendLine("| fault kind | trigger | n | min | median | max | missed | seconds, fault onset → rollback PR opened |");
        sb.AppendLine("|---|---|---:|---:|---:|---:|---:|---|");
        foreach (var group in Groups(measurements))
        {
            var latencies = group.Valid.Where(m => m.Latency is not null).Select(m => m.Latency!.Value.TotalSeconds).ToList();
            var missed = group.Valid.Count(m => m.Latency is null);
            sb.Append(CultureInfo.InvariantCulture, $"| {group.Fault} | {Trigger(group.Mode)} | {latencies.Count} | {F(Min(latencies))} | {F(Median(latencies))} | {F(Max(latencies))} | {missed} | ")
                .Append(string.Join(" ", latencies.Select(l => l.ToString("0.0", CultureInfo.InvariantCulture))))
                .AppendLine(" |");
        }

        sb.AppendLine();
        sb.AppendLine("Where the time went (medians over the trials that opened a rollback):");
        foreach (var group in Groups(measurements))
        {
            var ok = group.Valid.Where(m => m.Latency is not null).ToList();
            var line = new StringBuilder().Append(CultureInfo.InvariantCulture, $"  {group.Fault,-16} {group.Mode,-8} onset → first scrape {F(Median(ok, m => m.FirstScrape))} s");
            if (group.Mode == "alert")
            {
                line.Append(CultureInfo.InvariantCulture, $", → webhook {F(Median(ok, m => m.Webhook))} s");
            }

            line.Append(CultureInfo.InvariantCulture, $", → start of the rollback's cycle {F(Median(ok, m => m.CycleStart))} s, cycle ran {F(Median(ok, m => m.CycleRun))} s");
            var triggers = ok.GroupBy(m => m.Trigger?.StartsWith("request", StringComparison.Ordinal) == true ? "alert" : "schedule")
                .Select(g => $"{g.Count()} by {g.Key}");
            line.Append("; rollback cycles: ").Append(string.Join(", ", triggers));
            sb.AppendLine(line.ToString());
        }

        var invalid = measurements.Where(m => !m.Valid).ToList();
        if (invalid.Count > 0)
        {
            sb.AppendLine();
            sb.AppendLine(CultureInfo.InvariantCulture, $"{invalid.Count} measurement(s) left out as invalid:");
            foreach (var m in invalid)
            {
                sb.AppendLine(CultureInfo.InvariantCulture, $"  trial {m.Trial} {m.Fault.Name} {m.Mode}: {m.Problem}");
            }
        }

        return sb.ToString();
    }

    public static double? Median(IReadOnlyList<double> values)
    {
        if (values.Count == 0)
        {
            return null;
        }

        var sorted = values.Order().ToList();
        var mid = sorted.Count / 2;
        return sorted.Count % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
    }

    private static double? Median(IEnumerable<Measurement> ms, Func<Measurement, TimeSpan?> pick) =>
        Median([.. ms.Select(pick).OfType<TimeSpan>().Select(t => t.TotalSeconds)]);

    private static double? Min(List<double> values) => values.Count == 0 ? null : values.Min();

    private static double? Max(List<double> values) => values.Count == 0 ? null : values.Max();

    private static string Trigger(string mode) => mode == "alert" ? "alert + schedule" : "schedule alone";

    private static string F(double? v) => v is { } x ? x.ToString("0.0", CultureInfo.InvariantCulture) : "–";

    private static IEnumerable<(string Fault, string Mode, List<Measurement> Valid)> Groups(IReadOnlyList<Measurement> measurements) =>
        measurements.GroupBy(m => (m.Fault.Name, m.Mode))
            .OrderBy(g => FaultKind.All.ToList().FindIndex(f => f.Name == g.Key.Name)).ThenBy(g => g.Key.Mode == "alert" ? 1 : 0)
            .Select(g => (g.Key.Name, g.Key.Mode, g.Where(m => m.Valid).ToList()));
}
