using System.Diagnostics;
using System.Globalization;
using PromotionBot.Configuration;
using Scenarios.Prometheus;

namespace PromotionBot.Bench;

/// <summary>
/// Backfills one fleet into a real Prometheus once, then for 1, 50 and 500 canaries (five timing groups) compares the bot's
/// signal read (build queries, HTTP, streaming parse, mapping to canaries) with Prometheus answering exactly the same
/// query strings sent directly. Prints numbers only.
/// </summary>
internal static class BenchRunner
{
    public static async Task<int> RunAsync(string[] args)
    {
        var options = BenchOptions.Parse(args);
        var targets = BenchFleet.Targets(options.Canaries);
        var set = BenchFleet.Build(targets);
        Console.WriteLine($"load average before backfill: {Stats.LoadAverage()}");
        var backfill = Stopwatch.StartNew();
        await using var server = await PrometheusServer.StartAsync(set);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"fleet: {options.Canaries} canaries, {server.SampleCount:N0} samples backfilled + Prometheus ready in {backfill.Elapsed.TotalSeconds:F1} s; {options.Runs} timed runs per size after a warm-up"));

        // Generous client timeout and no retries: a slow answer is measured, a failed one voids the run instead of hiding in a retry.
        var prometheus = new PrometheusOptions { Url = server.BaseUrl.ToString(), TimeoutSeconds = 600, Retries = 0 };
        if (options.Keep)
        {
            await KeepAsync(server, options, targets);
            return 0;
        }

        var measure = new SizeMeasurement(server.BaseUrl, server.QueryLogFile, set.At, prometheus, options.Runs);
        var results = new List<SizeResult>();
        foreach (var n in options.Sizes)
        {
            results.Add(await measure.MeasureAsync(targets.Take(n).ToList(), CancellationToken.None));
        }

        Print(results);
        return 0;
    }

    private static void Print(List<SizeResult> results)
    {
        static string F(double v) => v.ToString("F1", CultureInfo.InvariantCulture);
        Console.WriteLine();
        Console.WriteLine("| canaries | timing groups | queries/cycle | bot ms (median) | Prometheus-only ms (median) | ratio |");
        Console.WriteLine("|---:|---:|---:|---:|---:|---:|");
        foreach (var r in results)
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {r.Canaries} | {r.TimingGroups} | {string.Join("/", r.QueriesPerCycle)} | {F(Stats.Median(r.BotMs))} | {F(Stats.Median(r.DirectMs))} | {r.Ratio:F2} |"));
        }

        Console.WriteLine();
        Console.WriteLine("Runs (median (min–max) ms), the bot's own cost on canned answers, and the load average (1/5/15 min) before → after:");
        Console.WriteLine("| canaries | bot runs | Prometheus-only runs | build queries | parse answers | client on canned answers | bot on canned answers | query KiB | answer KiB / series | first full cycle | decisions | load |");
        Console.WriteLine("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---|");
        foreach (var r in results)
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {r.Canaries} | {Stats.Spread(r.BotMs)} | {Stats.Spread(r.DirectMs)} | {F(Stats.Median(r.BuildMs))} | {F(Stats.Median(r.ParseMs))} | {F(Stats.Median(r.ClientMs))} | {F(Stats.Median(r.CannedMs))} | {r.QueryChars / 1024.0:F0} | {r.AnswerBytes / 1024.0:F0} / {r.AnswerSeries} | {F(r.FirstCycleMs)} | {r.Decisions} | {r.LoadBefore} → {r.LoadAfter} |"));
        }

        var largest = results[^1];
        Console.WriteLine();
        Console.WriteLine($"Prometheus's own evaluation time per query (query log), last bot cycle at {largest.Canaries} canaries:");
        foreach (var (eval, queue, query) in largest.LastCycleLog.Select(QueryLog.Evaluation).OrderByDescending(q => q.EvalSeconds))
        {
            var text = query.Length > 100 ? query[..100] + "…" : query;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {eval * 1000,9:F1} ms eval {queue * 1000,7:F1} ms queued  {query.Length / 1024.0,6:F0} KiB  {text}"));
        }
    }

    /// <summary>--keep: writes each size's queries next to the TSDB and keeps Prometheus up until a line on stdin, for hand profiling.</summary>
    private static async Task KeepAsync(PrometheusServer server, BenchOptions options, IReadOnlyList<Scenarios.CanaryTarget> targets)
    {
        foreach (var n in options.Sizes)
        {
            using var repo = BenchFleet.Repository(targets.Take(n));

            var policies = Policy.PolicyLoader.Discover(repo.Root).Select(path => Policy.PolicyLoader.Load(repo.Root, path)).ToList();
            var queries = new Metrics.SignalQueries(policies).All;
            for (var i = 0; i < queries.Count; i++)
            {
                await File.WriteAllTextAsync(Path.Combine(server.Directory, $"q{n}-{i}.promql"), queries[i]);
            }
        }

        Console.WriteLine($"PROMETHEUS_URL={server.BaseUrl} QUERIES={server.Directory}/q<size>-<index>.promql; press Enter to stop");
        _ = await Console.In.ReadLineAsync();
    }
}
