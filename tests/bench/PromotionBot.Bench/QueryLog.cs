using System.Globalization;
using System.Text.Json;

namespace PromotionBot.Bench;

/// <summary>Reads Prometheus's query log (one JSON object per evaluated query) and replays entries over plain HTTP.</summary>
internal static class QueryLog
{
    public static string[] Lines(string file) => File.Exists(file) ? File.ReadAllLines(file) : [];

    /// <summary>The API URL (relative) that asks the same thing the logged query asked.</summary>
    public static string ToRequest(string line)
    {
        using var doc = JsonDocument.Parse(line);
        var p = doc.RootElement.GetProperty("params");
        var query = Uri.EscapeDataString(p.GetProperty("query").GetString()!);
        var start = Unix(p.GetProperty("start").GetString()!);
        var end = Unix(p.GetProperty("end").GetString()!);
        var step = p.GetProperty("step").GetDouble();
        return step == 0
            ? $"api/v1/query?query={query}&time={end}"
            : $"api/v1/query_range?query={query}&start={start}&end={end}&step={step.ToString(CultureInfo.InvariantCulture)}";
    }

    /// <summary>Prometheus's own evaluation time for the logged query, and the query text.</summary>
    public static (double Seconds, string Query) Evaluation(string line)
    {
        using var doc = JsonDocument.Parse(line);
        var root = doc.RootElement;
        var seconds = root.TryGetProperty("stats", out var stats) && stats.TryGetProperty("timings", out var t) && t.TryGetProperty("evalTotalTime", out var e)
            ? e.GetDouble()
            : double.NaN;
        return (seconds, root.GetProperty("params").GetProperty("query").GetString()!);
    }

    private static string Unix(string rfc3339) =>
        (DateTimeOffset.Parse(rfc3339, CultureInfo.InvariantCulture).ToUnixTimeMilliseconds() / 1000.0).ToString("0.###", CultureInfo.InvariantCulture);
}
