using System.Diagnostics;
using System.Globalization;
using PromotionBot.Analysis;
using PromotionBot.Configuration;
using PromotionBot.Metrics;
using PromotionBot.Policy;
using Scenarios;

namespace PromotionBot.Bench;

/// <summary>
/// Measures one fleet size against the running Prometheus: a full analyze cycle first (warm-up, decisions), then
/// <c>runs</c> pairs of (bot signal read, direct queries), interleaved and alternating which goes first so that load from
/// the shared machine falls on both alike; then the bot's own cost against canned answers, with no Prometheus at all.
/// </summary>
internal sealed class SizeMeasurement(Uri prometheus, string queryLogFile, DateTimeOffset at, PrometheusOptions options, int baseRuns)
{
    public async Task<SizeResult> MeasureAsync(IReadOnlyList<CanaryTarget> targets, CancellationToken ct)
    {
        var loadBefore = Stats.LoadAverage();
        // Small fleets answer in milliseconds, where scheduling noise on a shared machine dominates: more runs.
        var runs = targets.Count < 10 ? baseRuns * 5 : baseRuns;
        using var repo = BenchFleet.Repository(targets);

        var policies = PolicyLoader.Discover(repo.Root).Select(path => PolicyLoader.Load(repo.Root, path)).ToList();
        var queries = new SignalQueries(policies).All;
        var groups = policies.Select(SignalQueries.TimingKey).Distinct().Count();

        using var botHttp = new HttpClient();
        var client = new PrometheusClient(botHttp, options);
        var reader = new SignalReader(client);
        using var directHttp = new HttpClient { BaseAddress = prometheus, Timeout = options.Timeout };
        var direct = new DirectQueries(directHttp, options.Timeout);

        // Warm-up: one full cycle (policies from disk, signals, decisions) and one direct round.
        var sw = Stopwatch.StartNew();
        var first = await new CanaryAnalyzer(reader).AnalyzeAsync(repo.Root, at, ct);
        var firstMs = sw.Elapsed.TotalMilliseconds;
        var failed = first.Canaries.FirstOrDefault(c => c.Error is not null || c.Signals?.Unavailable is not null);
        if (failed is not null)
        {
            throw new InvalidOperationException($"{failed.Name}: {failed.Error ?? failed.Signals!.Unavailable}");
        }

        var decisions = string.Join(" ", first.Canaries.GroupBy(c => c.Decision!.Kind.ToString().ToLowerInvariant())
            .OrderBy(g => g.Key, StringComparer.Ordinal).Select(g => $"{g.Key}={g.Count()}"));
        var bodies = await direct.SendAsync(queries, at, ct);

        var botMs = new List<double>();
        var directMs = new List<double>();
        var perCycle = new List<int>();
        IReadOnlyList<string> lastCycle = [];
        for (var r = 0; r < runs; r++)
        {
            async Task Bot()
            {
                var before = QueryLog.Count(queryLogFile);
                var sent = client.QueriesSent;
                var watch = Stopwatch.StartNew();
                var read = await reader.ReadAsync(policies, at, ct);
                botMs.Add(watch.Elapsed.TotalMilliseconds);
                if (read.Values.FirstOrDefault(s => s.Unavailable is not null) is { } bad)
                {
                    throw new InvalidOperationException($"the bot's read failed, the timing is void: {bad.Unavailable}");
                }

                lastCycle = QueryLog.Since(queryLogFile, before);
                perCycle.Add(lastCycle.Count);
                if (client.QueriesSent - sent != lastCycle.Count)
                {
                    throw new InvalidOperationException($"the bot sent {client.QueriesSent - sent} queries, Prometheus logged {lastCycle.Count}");
                }
            }

            async Task Direct()
            {
                var watch = Stopwatch.StartNew();
                bodies = await direct.SendAsync(queries, at, ct);
                directMs.Add(watch.Elapsed.TotalMilliseconds);
            }

            if (r % 2 == 0)
            {
                await Bot();
                await Direct();
            }
            else
            {
                await Direct();
                await Bot();
            }
        }

        var loadAfter = Stats.LoadAverage();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"  {targets.Count} canaries: bot {Stats.Spread(botMs)} ms, Prometheus-only {Stats.Spread(directMs)} ms, ratio {Stats.Median(botMs) / Stats.Median(directMs):F2}, queries/cycle {string.Join("/", perCycle.Distinct())} (load average {loadAfter})"));

        // The bot's own cost, Prometheus out of the picture: building the queries, parsing the answers, the whole read on canned answers.
        var canned = await CannedAnswers.CreateAsync(queries, bodies, at, options.Timeout);
        using var cannedHttp = new HttpClient(canned);
        var cannedClient = new PrometheusClient(cannedHttp, options);
        var cannedReader = new SignalReader(cannedClient);
        _ = await cannedReader.ReadAsync(policies, at, ct);
        var buildMs = new List<double>();
        var parseMs = new List<double>();
        var clientMs = new List<double>();
        var cannedMs = new List<double>();
        var series = 0;
        for (var r = 0; r < Math.Max(runs, 5); r++)
        {
            sw.Restart();
            _ = new SignalQueries(policies).All;
            buildMs.Add(sw.Elapsed.TotalMilliseconds);

            sw.Restart();
            series = 0;
            foreach (var body in bodies)
            {
                using var stream = new MemoryStream(body, writable: false);
                series += (await PrometheusResponse.ReadAsync(stream, long.MaxValue, int.MaxValue, ct)).Series.Count;
            }

            parseMs.Add(sw.Elapsed.TotalMilliseconds);

            sw.Restart();
            _ = await Task.WhenAll(queries.Select(query => cannedClient.QueryAsync(query, at, int.MaxValue, ct)));
            clientMs.Add(sw.Elapsed.TotalMilliseconds);

            sw.Restart();
            _ = await cannedReader.ReadAsync(policies, at, ct);
            cannedMs.Add(sw.Elapsed.TotalMilliseconds);
        }

        return new SizeResult(targets.Count, groups, perCycle.Distinct().ToList(), botMs, directMs, firstMs, decisions,
            bodies.Sum(b => (long)b.Length), series, queries.Sum(q => q.Length), buildMs, parseMs, clientMs, cannedMs, lastCycle, loadBefore, loadAfter);
    }
}
