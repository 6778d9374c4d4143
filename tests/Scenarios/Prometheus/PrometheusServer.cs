using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
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
    private readonly Process _process;
    private readonly StringBuilder _log;
    private int _disposed;

    private PrometheusServer(Process process, StringBuilder log, string directory, Uri baseUrl, long samples)
    {
        _process = process;
        _log = log;
        Directory = directory;
        BaseUrl = baseUrl;
        SampleCount = samples;
    }

    public Uri BaseUrl { get; }

    /// <summary>Temporary directory holding the TSDB, config and query log.</summary>
    public string Directory { get; }

    /// <summary>JSON lines, one per query Prometheus evaluated (global.query_log_file).</summary>
    public string QueryLogFile => Path.Combine(Directory, "queries.log");

    public int ProcessId => _process.Id;

    public long SampleCount { get; }

    public string ServerLog
    {
        get
        {
            lock (_log)
            {
                return _log.ToString();
            }
        }
    }

    /// <param name="port">Fixed loopback port, or null for a free one.</param>
    public static async Task<PrometheusServer> StartAsync(ScenarioSet scenarios, int? port = null, CancellationToken ct = default)
    {
        var dir = Path.Combine(Path.GetTempPath(), "scenarios-prometheus-" + Guid.NewGuid().ToString("N")[..12]);
        System.IO.Directory.CreateDirectory(dir);
        try
        {
            var samples = await BackfillAsync(scenarios, dir, ct);
            return await LaunchAsync(dir, samples, port, ct);
        }
        catch
        {
            TryDelete(dir);
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

    private static async Task<PrometheusServer> LaunchAsync(string dir, long samples, int? fixedPort, CancellationToken ct)
    {
        var config = Path.Combine(dir, "prometheus.yml");
        await File.WriteAllTextAsync(config,
            $"# No scrape jobs: every sample was backfilled.\nglobal:\n  query_log_file: {Path.Combine(dir, "queries.log")}\nscrape_configs: []\n", ct);

        Exception? last = null;
        for (var attempt = 0; attempt < (fixedPort is null ? 3 : 1); attempt++)
        {
            var port = fixedPort ?? FreePort();
            var psi = new ProcessStartInfo(ToolRunner.Find("prometheus"))
            {
                WorkingDirectory = dir,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            foreach (var a in new[]
                     {
                         $"--config.file={config}", $"--storage.tsdb.path={Path.Combine(dir, "data")}",
                         $"--web.listen-address=127.0.0.1:{port}", "--storage.tsdb.retention.time=10y", "--log.level=warn",
                     })
            {
                psi.ArgumentList.Add(a);
            }

            var log = new StringBuilder();
            var process = Process.Start(psi) ?? throw new InvalidOperationException("could not start prometheus");
            process.OutputDataReceived += (_, e) => Append(log, e.Data);
            process.ErrorDataReceived += (_, e) => Append(log, e.Data);
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            var server = new PrometheusServer(process, log, dir, new Uri($"http://127.0.0.1:{port}/"), samples);
            try
            {
                await server.WaitReadyAsync(TimeSpan.FromSeconds(60), ct);
                return server;
            }
            catch (InvalidOperationException e)
            {
                last = e;
                server.StopProcess();
            }
        }

        throw last!;
    }

    private async Task WaitReadyAsync(TimeSpan timeout, CancellationToken ct)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"prometheus exited with {_process.ExitCode}:\n{ToolRunner.Tail(ServerLog)}");
            }

            try
            {
                using var response = await http.GetAsync(new Uri(BaseUrl, "-/ready"), ct);
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
            }
            catch (TaskCanceledException) when (!ct.IsCancellationRequested)
            {
            }

            await Task.Delay(100, ct);
        }

        throw new InvalidOperationException($"prometheus not ready after {timeout}:\n{ToolRunner.Tail(ServerLog)}");
    }

    private static void Append(StringBuilder log, string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (log)
        {
            if (log.Length < 64_000)
            {
                log.AppendLine(line);
            }
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private void StopProcess()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                _process.WaitForExit(10_000);
            }
        }
        catch (InvalidOperationException)
        {
        }

        _process.Dispose();
    }

    private static void TryDelete(string dir)
    {
        try
        {
            System.IO.Directory.Delete(dir, recursive: true);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        StopProcess();
        TryDelete(Directory);
    }

    public ValueTask DisposeAsync()
    {
        Dispose();
        return ValueTask.CompletedTask;
    }
}
