using System.Text;
using Scenarios.Generation;
using Scenarios.OpenMetrics;

namespace Scenarios.Prometheus;

/// <summary>
/// A real Prometheus holding a backfilled scenario: writes the OpenMetrics file, runs
/// <c>promtool tsdb create-blocks-from openmetrics</c>, starts <c>prometheus</c> on a free loopback port with no scrape jobs
/// and a query log, waits for /-/ready. Dispose stops the process and deletes the temporary directory.
/// </summary>
public sealed class PrometheusServer : IAsyncDisposable, IDisposable
{
    private readonly PrometheusProcess _process;
    private int _disposed;

    private PrometheusServer(PrometheusProcess process, string directory, long samples)
    {
        _process = process;
        Directory = directory;
        SampleCount = samples;
    }

    public Uri BaseUrl => _process.BaseUrl;

    /// <summary>Temporary directory holding the TSDB, config and query log.</summary>
    public string Directory { get; }

    /// <summary>JSON lines, one per query Prometheus evaluated (global.query_log_file).</summary>
    public string QueryLogFile => Path.Combine(Directory, "queries.log");

    public int ProcessId => _process.ProcessId;

    public long SampleCount { get; }

    public string ServerLog => _process.Log;

    /// <param name="port">Fixed loopback port, or null for a free one.</param>
    public static async Task<PrometheusServer> StartAsync(ScenarioSet scenarios, int? port = null, CancellationToken ct = default)
    {
        var dir = Path.Combine(Path.GetTempPath(), "scenarios-prometheus-" + Guid.NewGuid().ToString("N")[..12]);
        System.IO.Directory.CreateDirectory(dir);
        try
        {
            var samples = await BackfillAsync(scenarios, dir, ct);
            var config = Path.Combine(dir, "prometheus.yml");
            await File.WriteAllTextAsync(config,
                $"# No scrape jobs: every sample was backfilled.\nglobal:\n  query_log_file: {Path.Combine(dir, "queries.log")}\nscrape_configs: []\n", ct);
            var process = await PrometheusProcess.StartAsync(dir, config, Path.Combine(dir, "data"), ["--storage.tsdb.retention.time=10y", "--log.level=warn"],
                port, TimeSpan.FromSeconds(60), ct);
            return new PrometheusServer(process, dir, samples);
        }
        catch
        {
            PrometheusProcess.TryDelete(dir);
            throw;
        }
    }

    private static async Task<long> BackfillAsync(ScenarioSet scenarios, string dir, CancellationToken ct)
    {
        var dump = IstioTelemetryGenerator.Generate(scenarios);
        var file = Path.Combine(dir, "scenarios.om");
        await using (var stream = new FileStream(file, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 20))
        await using (var writer = new StreamWriter(stream, new UTF8Encoding(false), 1 << 20))
        {
            OpenMetricsWriter.Write(dump, writer);
        }

        // Default 2h max block duration is fine: blocks simply split at 2h boundaries.
        await ToolRunner.RunAsync("promtool", ["tsdb", "create-blocks-from", "openmetrics", file, Path.Combine(dir, "data")], dir, ct);
        File.Delete(file);
        return dump.SampleCount;
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        _process.Stop(TimeSpan.FromSeconds(10));
        PrometheusProcess.TryDelete(Directory);
    }

    public ValueTask DisposeAsync()
    {
        Dispose();
        return ValueTask.CompletedTask;
    }
}
