using System.Diagnostics;
using System.Globalization;
using PromotionBot.Analysis;
using PromotionBot.Metrics;
using Scenarios;
using Scenarios.Prometheus;

namespace PromotionBot.Bench;

/// <summary>
/// For N canaries of one backfilled fleet: the bot's wall time per analyze cycle (in-process CanaryAnalyzer), the number of
/// Prometheus queries it issued (from the query log), and the wall time of replaying exactly those queries through a plain
/// HttpClient with the same concurrency. Prints numbers only.
/// </summary>
internal static class BenchRunner
{
    public static async Task<int> RunAsync(string[] args)
    {
        var fleetSize = IntOption(args, "--canaries", 500);
        var runs = IntOption(args, "--runs", 5);
        var sizes = new[] { 1, 50, 500 }.Where(n => n <= fleetSize).ToArray();

        var targets = BenchFleet.Targets(fleetSize);
        var set = BenchFleet.Build(targets);
        var backfill = Stopwatch.StartNew();
        await using var server = await PrometheusServer.StartAsync(set);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"fleet: {fleetSize} canaries, {server.SampleCount:N0} samples backfilled + Prometheus ready in {backfill.Elapsed.TotalSeconds:F1} s; runs per size: {runs} (after 1 warm-up)"));

        using var http = new HttpClient { BaseAddress = server.BaseUrl, Timeout = TimeSpan.FromMinutes(2) };
        var analyzer = new CanaryAnalyzer(new SignalReader(new PrometheusClient(http, new PromotionBot.Configuration.PrometheusOptions { Url = server.BaseUrl.ToString() })));
        var rows = new List<string>();
        string[] largestCycle = [];
        foreach (var n in sizes)
        {
            using var repo = new CanaryRepo();
            var index = 0;
            foreach (var t in targets.Take(n))
            {
                // Five different timing groups across the fleet: the query count must not depend on them.
                var (window, interval, threshold) = BenchFleet.Timings[index++ % BenchFleet.Timings.Count];
                repo.Add($"{t.Namespace}-{t.Service}", t, 80, 20, window: window, interval: interval, failureThreshold: threshold);
            }

            var groups = Math.Min(n, BenchFleet.Timings.Count);

            var first = await analyzer.AnalyzeAsync(repo.Root, set.At, CancellationToken.None);
            var decisions = string.Join(" ", first.Canaries.GroupBy(c => c.Error is null ? c.Decision!.Kind.ToString().ToLowerInvariant() : "error")
                .OrderBy(g => g.Key, StringComparer.Ordinal).Select(g => $"{g.Key}={g.Count()}"));

            var botMs = new List<double>();
            var queriesPerCycle = new List<int>();
            string[] cycleQueries = [];
            for (var r = 0; r < runs; r++)
            {
                var before = QueryLog.Lines(server.QueryLogFile).Length;
                var sw = Stopwatch.StartNew();
                _ = await analyzer.AnalyzeAsync(repo.Root, set.At, CancellationToken.None);
                botMs.Add(sw.Elapsed.TotalMilliseconds);
                var lines = QueryLog.Lines(server.QueryLogFile);
                cycleQueries = lines[before..];
                queriesPerCycle.Add(cycleQueries.Length);
            }

            largestCycle = cycleQueries;
            var requests = cycleQueries.Select(QueryLog.ToRequest).ToList();
            await ReplayAsync(http, requests); // warm-up
            var rawMs = new List<double>();
            for (var r = 0; r < runs; r++)
            {
                var sw = Stopwatch.StartNew();
                await ReplayAsync(http, requests);
                rawMs.Add(sw.Elapsed.TotalMilliseconds);
            }

            var bot = Median(botMs);
            var raw = Median(rawMs);
            rows.Add(string.Create(CultureInfo.InvariantCulture,
                $"| {n,8} | {groups,13} | {string.Join("/", queriesPerCycle.Distinct()),14} | {bot,11:F1} | {raw,11:F1} | {bot / raw,5:F2} | {decisions}"));
        }

        Console.WriteLine("| canaries | timing groups | queries/cycle  | bot wall ms | raw query ms | ratio | decisions (first cycle)");
        Console.WriteLine("|---------:|--------------:|---------------:|------------:|------------:|------:|---");
        foreach (var row in rows)
        {
            Console.WriteLine(row);
        }

        Console.WriteLine();
        Console.WriteLine($"Prometheus evaluation time per query, one cycle at {sizes[^1]} canaries:");
        foreach (var (seconds, query) in largestCycle.Select(QueryLog.Evaluation).OrderByDescending(q => q.Seconds))
        {
            var text = query.Length > 110 ? query[..110] + "…" : query;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {seconds * 1000,8:F1} ms  {text}"));
        }

        return 0;
    }

    private static async Task ReplayAsync(HttpClient http, IReadOnlyList<string> requests) =>
        await Task.WhenAll(requests.Select(async url =>
        {
            using var response = await http.GetAsync(new Uri(url, UriKind.Relative));
            response.EnsureSuccessStatusCode();
            _ = await response.Content.ReadAsByteArrayAsync();
        }));

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[(sorted.Count / 2) - 1] + sorted[sorted.Count / 2]) / 2;
    }

    private static int IntOption(string[] args, string name, int fallback)
    {
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? int.Parse(args[i + 1], CultureInfo.InvariantCulture) : fallback;
    }
}
