using System.Diagnostics;

namespace Demo.Orchestration;

/// <summary>
/// The real worker (<c>dotnet PromotionBot.dll run ...</c>) as a child process. Every line it prints is appended to a
/// log file and handed to <see cref="Line"/>; disposing kills its process tree.
/// </summary>
public sealed class WorkerProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StreamWriter _log;
    private readonly object _gate = new();
    private readonly Queue<string> _tail = new();
    private readonly Task _stdout;
    private readonly Task _stderr;
    private bool _closed;

    private WorkerProcess(Process process, StreamWriter log)
    {
        _process = process;
        _log = log;
        _stdout = Task.Run(() => Pump(process.StandardOutput));
        _stderr = Task.Run(() => Pump(process.StandardError));
    }

    /// <summary>One line of the worker's stdout or stderr (JSON log lines under the json console formatter).</summary>
    public event Action<string>? Line;

    public int ProcessId => _process.Id;

    public bool HasExited => _process.HasExited;

    public int ExitCode => _process.ExitCode;

    public string LogFile { get; private init; } = "";

    /// <param name="environment">Variables to set; a null value removes the variable (KUBECONFIG must not leak in).</param>
    public static WorkerProcess Start(string assembly, IEnumerable<string> arguments, IReadOnlyDictionary<string, string?> environment, string logFile)
    {
        if (!File.Exists(assembly))
        {
            throw new FileNotFoundException($"The worker is not built: {assembly} is missing (dotnet build tests/Demo builds it).", assembly);
        }

        var psi = new ProcessStartInfo(DotnetHost())
        {
            // The bot reads appsettings.json from its own folder whatever the working directory; this keeps relative paths out.
            WorkingDirectory = Path.GetDirectoryName(assembly)!,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        psi.ArgumentList.Add(assembly);
        foreach (var a in arguments)
        {
            psi.ArgumentList.Add(a);
        }

        foreach (var (key, value) in environment)
        {
            if (value is null)
            {
                psi.Environment.Remove(key);
            }
            else
            {
                psi.Environment[key] = value;
            }
        }

        var log = new StreamWriter(logFile, append: false) { AutoFlush = true };
        var process = Process.Start(psi) ?? throw new InvalidOperationException("could not start the worker");
        return new WorkerProcess(process, log) { LogFile = logFile };
    }

    /// <summary>The last lines the worker printed (for failure messages).</summary>
    /// <summary>Waits until the worker answers <c>GET /healthz</c> with 200; fails at once, with its last lines, if it exits.</summary>
    public async Task WaitHealthyAsync(Uri baseUrl, string name, TimeSpan timeout, CancellationToken ct)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        var deadline = DateTimeOffset.UtcNow + timeout;
        while (DateTimeOffset.UtcNow < deadline)
        {
            ct.ThrowIfCancellationRequested();
            if (HasExited)
            {
                throw new InvalidOperationException($"{name} exited with code {ExitCode} at start:\n  " + string.Join("\n  ", Tail()));
            }

            try
            {
                using var response = await http.GetAsync(new Uri(baseUrl, "healthz"), ct);
                if (response.StatusCode == System.Net.HttpStatusCode.OK)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }
            catch (TaskCanceledException) when (!ct.IsCancellationRequested)
            {
                // Slow first answer on a loaded machine.
            }

            await Task.Delay(200, ct);
        }

        throw new TimeoutException($"{name} did not answer /healthz within {timeout.TotalSeconds:0} s:\n  " + string.Join("\n  ", Tail()));
    }

    public IReadOnlyList<string> Tail()
    {
        lock (_gate)
        {
            return [.. _tail];
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
            }

            using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            await _process.WaitForExitAsync(wait.Token);
            await Task.WhenAll(_stdout, _stderr).WaitAsync(wait.Token);
        }
        catch (Exception ex) when (ex is InvalidOperationException or OperationCanceledException or System.ComponentModel.Win32Exception)
        {
            // Already gone, or not reaped in time: nothing more to do for a child we killed.
        }
        finally
        {
            _process.Dispose();
            lock (_gate)
            {
                _closed = true;
                _log.Dispose();
            }
        }
    }

    private async Task Pump(StreamReader reader)
    {
        while (await reader.ReadLineAsync() is { } line)
        {
            lock (_gate)
            {
                if (_closed)
                {
                    return;
                }

                _log.WriteLine(line);
                _tail.Enqueue(line);
                if (_tail.Count > 40)
                {
                    _tail.Dequeue();
                }
            }

            Line?.Invoke(line);
        }
    }

    /// <summary>The dotnet host the CLI started us with (DOTNET_HOST_PATH), else <c>dotnet</c> on PATH.</summary>
    private static string DotnetHost() =>
        Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host) ? host : "dotnet";
}
