using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Demo.Orchestration;

/// <summary>How the story went: per canary its pull requests, the fault and the final live weights.</summary>
/// <param name="Failure">Why the run did not end as scripted; null when it did.</param>
public sealed record LoopSummary(string? Failure, double TimeScale, DateTimeOffset StartedAt, TimeSpan Duration,
    IReadOnlyList<CanarySummary> Canaries, string? PullRequestsDirectory)
{
    public bool Succeeded => Failure is null;

    /// <summary>
    /// The DEMO_SUMMARY document: <c>{"durationSeconds": n, "canaries": {"&lt;name&gt;": {"finalWeights": {...},
    /// "pullRequests": [{"number", "kind", "weights", "openedAt", "mergedAt"}], "faultAt", "rollbackOpenedAt"}}}</c>.
    /// </summary>
    public string ToJson()
    {
        using var stream = new MemoryStream();
        using (var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
        {
            json.WriteStartObject();
            json.WriteNumber("durationSeconds", Math.Round(Duration.TotalSeconds, 1));
            json.WriteStartObject("canaries");
            foreach (var canary in Canaries)
            {
                json.WriteStartObject(canary.Name);
                WriteWeights(json, "finalWeights", canary.FinalWeights);
                json.WriteStartArray("pullRequests");
                foreach (var pr in canary.PullRequests)
                {
                    json.WriteStartObject();
                    json.WriteNumber("number", pr.Number);
                    json.WriteString("kind", pr.Kind);
                    WriteWeights(json, "weights", pr.Weights);
                    WriteTime(json, "openedAt", pr.OpenedAt);
                    WriteTime(json, "mergedAt", pr.MergedAt);
                    json.WriteEndObject();
                }

                json.WriteEndArray();
                WriteTime(json, "faultAt", canary.FaultAt);
                WriteTime(json, "rollbackOpenedAt", canary.RollbackOpenedAt);
                json.WriteEndObject();
            }

            json.WriteEndObject();
            json.WriteEndObject();
        }

        return Encoding.UTF8.GetString(stream.ToArray()) + "\n";
    }

    /// <summary>The text summary the demo prints at the end.</summary>
    public void WriteText(TextWriter output)
    {
        output.WriteLine();
        output.WriteLine(FormattableString.Invariant($"Summary ({Duration.TotalSeconds:0} s at time ×{TimeScale:0.##}):"));
        foreach (var canary in Canaries)
        {
            var ok = canary.AtExpectedWeights ? "as scripted" : $"expected v2 at {canary.ExpectedCanaryWeight}";
            output.WriteLine($"  {canary.Name}: live {Weights.Format(canary.FinalWeights)} ({ok})");
            foreach (var pr in canary.PullRequests)
            {
                var line = new StringBuilder(FormattableString.Invariant(
                    $"    #{pr.Number,-3} {pr.Kind,-8} {Weights.Format(pr.From),5} → {Weights.Format(pr.Weights),-7} opened {Clock(pr.OpenedAt)}"));
                line.Append(pr.MergedAt is { } merged ? $", merged {Clock(merged)}" : pr.ClosedUnmerged ? ", closed unmerged" : ", still open");
                if (pr.MergedAt is { } m && pr.LiveAt is { } live)
                {
                    line.Append(FormattableString.Invariant($", live {Clock(live)} (merge → live {(live - m).TotalSeconds:0.0} s)"));
                }
                else if (pr.MergedAt is not null)
                {
                    line.Append(", not live yet");
                }

                output.WriteLine(line.ToString());
            }

            if (canary.FaultAt is { } fault)
            {
                output.WriteLine(canary.RollbackOpenedAt is { } rollback
                    ? FormattableString.Invariant($"    fault at {Clock(fault)} → rollback pull request opened at {Clock(rollback)}: {(rollback - fault).TotalSeconds:0.0} s")
                    : $"    fault at {Clock(fault)} → no rollback pull request");
            }
        }

        if (PullRequestsDirectory is not null)
        {
            output.WriteLine($"Pull request bodies (Markdown): {PullRequestsDirectory}");
        }

        output.WriteLine(Succeeded ? "The story ended as scripted." : $"FAILED: {Failure}");
    }

    /// <summary>Seconds since the loop started, as the live view prints them.</summary>
    public string Clock(DateTimeOffset at) => FormattableString.Invariant($"+{(at - StartedAt).TotalSeconds:0.0}s");

    private static void WriteWeights(Utf8JsonWriter json, string name, IReadOnlyList<KeyValuePair<string, int>> weights)
    {
        json.WriteStartObject(name);
        foreach (var (subset, weight) in weights)
        {
            json.WriteNumber(subset, weight);
        }

        json.WriteEndObject();
    }

    private static void WriteTime(Utf8JsonWriter json, string name, DateTimeOffset? at)
    {
        if (at is { } t)
        {
            json.WriteString(name, t.ToUniversalTime().ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture));
        }
        else
        {
            json.WriteNull(name);
        }
    }
}

/// <param name="FinalWeights">Live weights at the end (route order), empty when the cluster had none.</param>
/// <param name="PullRequests">The canary's bot pull requests in the order they opened.</param>
/// <param name="FaultAt">When the scripted fault began (5xx onset); null without one.</param>
/// <param name="RollbackOpenedAt">When a rollback pull request first appeared (at or after the fault); null if none.</param>
public sealed record CanarySummary(string Name, IReadOnlyList<KeyValuePair<string, int>> FinalWeights, int ExpectedCanaryWeight,
    IReadOnlyList<PullRequestRecord> PullRequests, DateTimeOffset? FaultAt, DateTimeOffset? RollbackOpenedAt)
{
    public bool AtExpectedWeights => FinalWeights.Count == 2 && FinalWeights[1].Value == ExpectedCanaryWeight && FinalWeights[0].Value == 100 - ExpectedCanaryWeight;
}

/// <summary>Weights as the view prints them: "80/20" in route order (stable first).</summary>
public static class Weights
{
    public static string Format(IReadOnlyList<KeyValuePair<string, int>> weights) =>
        weights.Count == 0 ? "-" : string.Join('/', weights.Select(w => w.Value.ToString(CultureInfo.InvariantCulture)));

    /// <summary>A subset → weight map in the order of <paramref name="order"/> (the route's), others after by name.</summary>
    public static IReadOnlyList<KeyValuePair<string, int>> Ordered(IReadOnlyDictionary<string, int>? weights, IReadOnlyList<string> order) =>
        weights is null ? [] : [.. weights.OrderBy(w => order.Contains(w.Key) ? order.ToList().IndexOf(w.Key) : int.MaxValue).ThenBy(w => w.Key, StringComparer.Ordinal)];
}
