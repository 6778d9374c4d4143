using System.Text;
using PromotionBot.Analysis;

namespace PromotionBot.Reporting;

/// <summary>The human view of a cycle: one row per canary, then the reasons and any errors.</summary>
public static class TableReport
{
    public static string Render(AnalysisRun run)
    {
        var rows = new List<string[]> { new[] { "CANARY", "WEIGHTS", "DECISION", "REQUESTS v1/v2", "5XX v1/v2", "P99 MS v1/v2", "CIRCUIT BREAKING", "REASON" } };
        foreach (var c in run.Canaries)
        {
            rows.Add(Row(c));
        }

        var widths = Enumerable.Range(0, rows[0].Length - 1).Select(i => rows.Max(r => r[i].Length)).ToArray();
        var sb = new StringBuilder();
        var scale = run.Canaries.Select(c => c.Policy?.Analysis.TimeScale ?? Policy.PolicyTimeScale.None).Max(s => (double?)s) ?? Policy.PolicyTimeScale.None;
        sb.AppendLine($"Evaluated at {run.EvaluatedAt.ToUniversalTime():yyyy-MM-ddTHH:mm:ssZ}" +
                      (scale == Policy.PolicyTimeScale.None ? "" : $" ({Policy.PolicyTimeScale.Describe(scale)}: policy durations divided by {scale:0.###})"));
        foreach (var row in rows)
        {
            for (var i = 0; i < row.Length; i++)
            {
                sb.Append(i < widths.Length ? row[i].PadRight(widths[i] + 2) : row[i]);
            }

            sb.AppendLine();
        }

        return sb.ToString();
    }

    private static string[] Row(CanaryEvaluation c)
    {
        var p = c.Policy;
        var d = c.Decision;
        if (p is null || d is null || c.Signals is null)
        {
            return [c.Name, "-", "error", "-", "-", "-", "-", c.Error ?? "not judged"];
        }

        var v1 = c.Signals.Of(p.Stable);
        var v2 = c.Signals.Of(p.Canary);
        var weights = $"{d.Current[p.Stable]}/{d.Current[p.Canary]}" + (d.Next is { } n ? $" → {n[p.Stable]}/{n[p.Canary]}" : "");
        var cb = d.Checks.Where(x => x.Name is "outlier-ejection" or "connection-pool-overflow")
            .Select(x => x.Result switch
            {
                CheckOutcome.Fail => x.Name == "outlier-ejection" ? "EJECTED" : "OVERFLOW",
                CheckOutcome.NoData => "no data",
                _ => "ok",
            })
            .Distinct()
            .ToList();
        var decision = Names.Of(d.Kind) + (d.Kind == DecisionKind.Hold && d.HoldReason != HoldReason.None ? $" ({Names.Of(d.HoldReason)})" : "");
        return
        [
            $"{p.Namespace}/{c.Name}",
            weights,
            decision,
            $"{DecisionEngine.Count(v1?.Requests)}/{DecisionEngine.Count(v2?.Requests)}",
            $"{DecisionEngine.Pct(v1?.ErrorRate)}/{DecisionEngine.Pct(v2?.ErrorRate)}",
            $"{DecisionEngine.Fmt(v1?.P99LatencyMs)}/{DecisionEngine.Fmt(v2?.P99LatencyMs)}",
            cb.Count == 0 ? "-" : string.Join(",", cb.Where(x => x != "ok").DefaultIfEmpty("ok")),
            string.Join("; ", d.Reasons),
        ];
    }
}
