using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;

namespace Scenarios.Prometheus;

/// <summary>
/// One <c>prometheus</c> process on a loopback port with a given config and TSDB directory, its output kept for error
/// messages. Starting retries on another free port when the chosen one was taken in between; stopping sends SIGTERM
/// (Prometheus flushes and exits) and kills only when it does not exit in time.
/// </summary>
internal sealed class PrometheusProcess
{
    private const int SigTerm = 15;

    private readonly Process _process;
    private readonly StringBuilder _log;

    private readonly string _dataDirectory;

    private PrometheusProcess(Process process, StringBuilder log, Uri baseUrl, string dataDirectory)
    {
        _process = process;
        _log = log;
        BaseUrl = baseUrl;
        _dataDirectory = dataDirectory;
    }

    public Uri BaseUrl { get; }

    public int ProcessId => _process.Id;

    public bool HasExited => _process.HasExited;

    public string Log
    {
        get
        {
            lock (_log)
            {
                return _log.ToString();
            }
        }
    }

    /// <param name="port">Fixed loopback port, or null for a free one (three attempts).</param>
    public static async Task<PrometheusProcess> StartAsync(string workingDirectory, string configFile, string dataDirectory, IReadOnlyList<string> extraArguments,
        int? port, TimeSpan readyTimeout, CancellationToken ct)
    {
        Exception? last = null;
        for (var attempt = 0; attempt < (port is null ? 3 : 1); attempt++)
        {
            var chosen = port ?? FreePort();
            var psi = new ProcessStartInfo(ToolRunner.Find("prometheus"))
            {
                WorkingDirectory = workingDirectory,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            foreach (var a in new[] { $"--config.file={configFile}", $"--storage.tsdb.path={dataDirectory}", $"--web.listen-address=127.0.0.1:{chosen}" }.Concat(extraArguments))
            {
                psi.ArgumentList.Add(a);
            }

            var log = new StringBuilder();
            var process = Process.Start(psi) ?? throw new InvalidOperationException("could not start prometheus");
            process.OutputDataReceived += (_, e) => Append(log, e.Data);
            process.ErrorDataReceived += (_, e) => Append(log, e.Data);
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            var server = new PrometheusProcess(process, log, new Uri($"http://127.0.0.1:{chosen}/"), dataDirectory);
            try
            {
                await server.WaitReadyAsync(readyTimeout, ct);
                return server;
            }
            catch (InvalidOperationException e) when (port is null && PortTaken(server, e))
            {
                last = e;
                server.Stop(TimeSpan.FromSeconds(5));
            }
            catch
            {
                server.Stop(TimeSpan.FromSeconds(5));
                throw;
            }
        }

        throw last!;
    }

    /// <summary>Another process got the free port first: worth another port. Anything else (a bad config, a timeout) is not.</summary>
    private static bool PortTaken(PrometheusProcess server, InvalidOperationException e) =>
        e.Message.Contains("answers for another prometheus", StringComparison.Ordinal)
        || server.Log.Contains("address already in use", StringComparison.Ordinal);

    /// <summary>Throws with the log's tail when the process has exited.</summary>
    public void ThrowIfExited()
    {
        if (_process.HasExited)
        {
            _process.WaitForExit(); // the rest of its output, so the message shows why
            throw new InvalidOperationException($"prometheus exited with {_process.ExitCode}:\n{ToolRunner.Tail(Log)}");
        }
    }

    /// <summary>SIGTERM, then a kill if it has not exited within <paramref name="grace"/>.</summary>
    public void Stop(TimeSpan grace)
    {
        try
        {
            if (!_process.HasExited)
            {
                _ = Kill(_process.Id, SigTerm);
                if (!_process.WaitForExit(grace))
                {
                    _process.Kill(entireProcessTree: true);
                    _process.WaitForExit(10_000);
                }
            }
        }
        catch (InvalidOperationException)
        {
        }

        _process.Dispose();
    }

    private async Task WaitReadyAsync(TimeSpan timeout, CancellationToken ct)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            ThrowIfExited();
            try
            {
                using var response = await http.GetAsync(new Uri(BaseUrl, "-/ready"), ct);
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    await VerifyItIsThisOneAsync(http, ct);
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

        throw new InvalidOperationException($"prometheus not ready after {timeout}:\n{ToolRunner.Tail(Log)}");
    }

    /// <summary>
    /// The port was free when chosen, but on a shared machine another prometheus may have taken it before this one bound it
    /// (this one then exits): an answer from the port proves nothing until its TSDB path is ours.
    /// </summary>
    private async Task VerifyItIsThisOneAsync(HttpClient http, CancellationToken ct)
    {
        string? path;
        try
        {
            await using var stream = await http.GetStreamAsync(new Uri(BaseUrl, "api/v1/status/flags"), ct);
            using var doc = await JsonDocument.ParseAsync(stream, cancellationToken: ct);
            path = doc.RootElement.GetProperty("data").TryGetProperty("storage.tsdb.path", out var p) ? p.GetString() : null;
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException)
        {
            path = $"unreadable: {e.Message}";
        }

        if (path != _dataDirectory)
        {
            throw new InvalidOperationException($"{BaseUrl} answers for another prometheus (TSDB {path}), not this one:\n{ToolRunner.Tail(Log)}");
        }
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

    internal static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    internal static void TryDelete(string dir)
    {
        try
        {
            Directory.Delete(dir, recursive: true);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    [DllImport("libc", EntryPoint = "kill")]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern int Kill(int pid, int signal);
}
