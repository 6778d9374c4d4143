using System.Text.Json;

namespace PromotionBot.Bench;

/// <summary>Prometheus's query log (global.query_log_file): one JSON object per query it evaluated, with its own timings.</summary>
internal static class QueryLog
{
    public static int Count(string file) => Lines(file).Length;

    public static IReadOnlyList<string> Since(string file, int count) => Lines(file)[count..];

    /// <summary>Prometheus's evaluation time and time queued for the logged query, and the query text.</summary>
    public static (double EvalSeconds, double QueueSeconds, string Query) Evaluation(string line)
    {
        using var doc = JsonDocument.Parse(line);
        var root = doc.RootElement;
        double Timing(string name) =>
            root.TryGetProperty("stats", out var stats) && stats.TryGetProperty("timings", out var t) && t.TryGetProperty(name, out var e) ? e.GetDouble() : double.NaN;
        return (Timing("evalTotalTime"), Timing("execQueueTime"), root.GetProperty("params").GetProperty("query").GetString()!);
    }

    private static string[] Lines(string file) => File.Exists(file) ? File.ReadAllLines(file) : [];
}
