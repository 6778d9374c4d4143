using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;

namespace DetectionLatency;

/// <summary>
/// A real Alertmanager (Debian's <c>prometheus-alertmanager</c>) on a free loopback port with the repository's route
/// (infrastructure/addons/alerting/alertmanager.yml), its webhook url rewritten to the local worker and its
/// credentials_file to a file holding the worker's webhook token. Clustering is off; config, token, storage and log
/// live in the folder the caller gives (and deletes). Disposing kills the process.
/// </summary>
public sealed partial class AlertmanagerProcess : IDisposable
{
    private readonly Process _process;
    private readonly string _directory;
    private readonly StreamWriter _log;

    private AlertmanagerProcess(Process process, string directory, StreamWriter log, Uri url)
    {
        _process = process;
        _directory = directory;
        _log = log;
        Url = url;
    }

    /// <summary>http://127.0.0.1:&lt;port&gt;/ (what Prometheus is pointed at).</summary>
    public Uri Url { get; }

    public string LogFile => Path.Combine(_directory, "alertmanager.log");

    public static async Task<AlertmanagerProcess> StartAsync(string repositoryRoot, string directory, Uri workerWebhook, string token, CancellationToken ct)
    {
        Directory.CreateDirectory(directory);
        var tokenFile = Path.Combine(directory, "webhook-token");
        await File.WriteAllTextAsync(tokenFile, token, ct);
        var config = Path.Combine(directory, "alertmanager.yml");
        await File.WriteAllTextAsync(config, RewriteRoute(
            await File.ReadAllTextAsync(Path.Combine(repositoryRoot, "infrastructure", "addons", "alerting", "alertmanager.yml"), ct),
            workerWebhook, tokenFile), ct);

        var port = Ports.Free();
        var psi = new ProcessStartInfo(Binary())
        {
            WorkingDirectory = directory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var a in new[]
                 {
                     $"--config.file={config}",
                     $"--storage.path={Path.Combine(directory, "data")}",
                     $"--web.listen-address=127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}",
                     "--cluster.listen-address=",
                 })
        {
            psi.ArgumentList.Add(a);
        }

        var log = new StreamWriter(Path.Combine(directory, "alertmanager.log")) { AutoFlush = true };
        var process = Process.Start(psi) ?? throw new InvalidOperationException("could not start alertmanager");
        process.OutputDataReceived += (_, e) => Write(log, e.Data);
        process.ErrorDataReceived += (_, e) => Write(log, e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var am = new AlertmanagerProcess(process, directory, log, new Uri($"http://127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}/"));
        try
        {
            await am.WaitReadyAsync(ct);
            return am;
        }
        catch
        {
            am.Dispose();
            throw;
        }
    }

    /// <summary>The repository's route with the webhook url and the credentials file replaced; everything else as shipped.</summary>
    public static string RewriteRoute(string shipped, Uri workerWebhook, string tokenFile)
    {
        var url = WebhookUrl().Matches(shipped);
        var credentials = CredentialsFile().Matches(shipped);
        if (url.Count != 1 || credentials.Count != 1)
        {
            throw new InvalidOperationException(
                $"alertmanager.yml must have exactly one webhook url and one credentials_file (found {url.Count} and {credentials.Count})");
        }

        var rewritten = WebhookUrl().Replace(shipped, m => m.Groups[1].Value + workerWebhook);
        return CredentialsFile().Replace(rewritten, m => m.Groups[1].Value + tokenFile);
    }

    public void Dispose()
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
            // Already gone.
        }

        _process.Dispose();
        lock (_log)
        {
            _log.Dispose();
        }
    }

    private async Task WaitReadyAsync(CancellationToken ct)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (DateTime.UtcNow < deadline)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"alertmanager exited with {_process.ExitCode}: see {LogFile}:\n{await File.ReadAllTextAsync(LogFile, ct)}");
            }

            try
            {
                using var response = await http.GetAsync(new Uri(Url, "-/ready"), ct);
                if (response.StatusCode == HttpStatusCode.OK)
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

            await Task.Delay(100, ct);
        }

        throw new TimeoutException("alertmanager was not ready within 60 s");
    }

    private static string Binary()
    {
        foreach (var name in new[] { "prometheus-alertmanager", "alertmanager" })
        {
            foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "/usr/bin").Split(Path.PathSeparator))
            {
                var candidate = Path.Combine(dir, name);
                if (File.Exists(candidate))
                {
                    return candidate;
                }
            }
        }

        throw new InvalidOperationException("prometheus-alertmanager is not on PATH: bash .ci/prereqs.sh bench installs it (as root; otherwise it prints the apt-get line).");
    }

    private static void Write(StreamWriter log, string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (log)
        {
            try
            {
                log.WriteLine(line);
            }
            catch (ObjectDisposedException)
            {
                // Output after the log was closed.
            }
        }
    }

    [GeneratedRegex(@"(?m)^(\s*-?\s*url:\s*)\S+\s*$")]
    private static partial Regex WebhookUrl();

    [GeneratedRegex(@"(?m)^(\s*credentials_file:\s*)\S+\s*$")]
    private static partial Regex CredentialsFile();
}
