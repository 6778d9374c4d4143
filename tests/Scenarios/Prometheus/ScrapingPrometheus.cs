using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Scenarios.Prometheus;

/// <summary>
/// A real prometheus process scraping the given targets (temp data dir, free loopback port), optionally with rule files
/// and an Alertmanager; disposing stops it (SIGTERM, then kill) and deletes the data dir. Each target is its own job
/// with honor_labels, so the series keep the namespace/pod/job/instance labels the target exposes (as a federated or
/// pre-labelled source would). StartAsync returns once /-/ready answers and every target was scraped successfully.
/// </summary>
public sealed class ScrapingPrometheus : IAsyncDisposable
{
    /// <summary>Generous: a loaded two-core box can take tens of seconds to start a Go binary and open a TSDB.</summary>
    private static readonly TimeSpan ReadyTimeout = TimeSpan.FromSeconds(90);

    private readonly PrometheusProcess _process;
    private int _disposed;

    private ScrapingPrometheus(PrometheusProcess process, string directory, string configFile)
    {
        _process = process;
        Directory = directory;
        ConfigFile = configFile;
    }

    public Uri BaseUrl => _process.BaseUrl;

    public int ProcessId => _process.ProcessId;

    /// <summary>Temporary directory holding the config and the TSDB.</summary>
    public string Directory { get; }

    /// <summary>The generated prometheus.yml.</summary>
    public string ConfigFile { get; }

    /// <summary>What prometheus printed so far (bounded).</summary>
    public string ServerLog => _process.Log;

    public static async Task<ScrapingPrometheus> StartAsync(IReadOnlyList<Uri> targets, TimeSpan scrapeInterval,
        IReadOnlyList<string>? ruleFiles = null, Uri? alertmanager = null, TimeSpan? evaluationInterval = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(targets);
        if (scrapeInterval < TimeSpan.FromMilliseconds(100))
        {
            throw new ArgumentOutOfRangeException(nameof(scrapeInterval), scrapeInterval, "at least 100ms");
        }

        var dir = Path.Combine(Path.GetTempPath(), "scenarios-scraping-prometheus-" + Guid.NewGuid().ToString("N")[..12]);
        System.IO.Directory.CreateDirectory(dir);
        PrometheusProcess? process = null;
        try
        {
            var config = Path.Combine(dir, "prometheus.yml");
            await File.WriteAllTextAsync(config, Config(targets, scrapeInterval, ruleFiles, alertmanager, evaluationInterval ?? scrapeInterval), cancellationToken);
            process = await PrometheusProcess.StartAsync(dir, config, Path.Combine(dir, "data"), ["--log.level=warn"], null, ReadyTimeout, cancellationToken);
            await WaitForFirstScrapesAsync(process, targets.Count, ReadyTimeout, cancellationToken);
            return new ScrapingPrometheus(process, dir, config);
        }
        catch
        {
            process?.Stop(TimeSpan.FromSeconds(5));
            PrometheusProcess.TryDelete(dir);
            throw;
        }
    }

    /// <summary>The prometheus.yml for these settings: one honor_labels job per target.</summary>
    public static string Config(IReadOnlyList<Uri> targets, TimeSpan scrapeInterval, IReadOnlyList<string>? ruleFiles, Uri? alertmanager, TimeSpan evaluationInterval)
    {
        ArgumentNullException.ThrowIfNull(targets);
        var sb = new StringBuilder();
        sb.Append("global:\n")
            .Append("  scrape_interval: ").Append(Duration(scrapeInterval)).Append('\n')
            // A scrape may take the whole interval on a slow box, never longer (Prometheus requires timeout <= interval).
            .Append("  scrape_timeout: ").Append(Duration(scrapeInterval < TimeSpan.FromSeconds(10) ? scrapeInterval : TimeSpan.FromSeconds(10))).Append('\n')
            .Append("  evaluation_interval: ").Append(Duration(evaluationInterval)).Append('\n');
        if (ruleFiles is { Count: > 0 })
        {
            sb.Append("rule_files:\n");
            foreach (var file in ruleFiles)
            {
                sb.Append("- ").Append(Quote(Path.GetFullPath(file))).Append('\n');
            }
        }

        if (alertmanager is not null)
        {
            sb.Append("alerting:\n  alertmanagers:\n  - scheme: ").Append(alertmanager.Scheme).Append('\n');
            if (alertmanager.AbsolutePath.Trim('/').Length > 0)
            {
                sb.Append("    path_prefix: ").Append(Quote(alertmanager.AbsolutePath)).Append('\n');
            }

            sb.Append("    static_configs:\n    - targets: [").Append(Quote(alertmanager.Authority)).Append("]\n");
        }

        sb.Append("scrape_configs:\n");
        for (var i = 0; i < targets.Count; i++)
        {
            var t = targets[i];
            sb.Append("- job_name: ").Append(Quote($"target-{i.ToString(CultureInfo.InvariantCulture)}")).Append('\n')
                .Append("  honor_labels: true\n")
                .Append("  scheme: ").Append(t.Scheme).Append('\n')
                .Append("  metrics_path: ").Append(Quote(t.AbsolutePath)).Append('\n')
                .Append("  static_configs:\n  - targets: [").Append(Quote(t.Authority)).Append("]\n");
        }

        return sb.ToString();
    }

    public ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            _process.Stop(TimeSpan.FromSeconds(10));
            PrometheusProcess.TryDelete(Directory);
        }

        return ValueTask.CompletedTask;
    }

    /// <summary>Polls /api/v1/targets until every active target's health is "up" (its first scrape succeeded).</summary>
    private static async Task WaitForFirstScrapesAsync(PrometheusProcess process, int expected, TimeSpan timeout, CancellationToken ct)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        var deadline = DateTime.UtcNow + timeout;
        var last = "no answer from /api/v1/targets";
        while (DateTime.UtcNow < deadline)
        {
            process.ThrowIfExited();
            try
            {
                await using var stream = await http.GetStreamAsync(new Uri(process.BaseUrl, "api/v1/targets?state=active"), ct);
                using var doc = await JsonDocument.ParseAsync(stream, cancellationToken: ct);
                var active = doc.RootElement.GetProperty("data").GetProperty("activeTargets").EnumerateArray()
                    .Select(t => (Url: t.GetProperty("scrapeUrl").GetString(), Health: t.GetProperty("health").GetString(), Error: t.GetProperty("lastError").GetString()))
                    .ToList();
                if (active.Count >= expected && active.All(t => t.Health == "up"))
                {
                    return;
                }

                last = active.Count < expected
                    ? $"{active.Count} of {expected} targets known"
                    : string.Join("; ", active.Where(t => t.Health != "up").Select(t => $"{t.Url} {t.Health} {t.Error}"));
            }
            catch (HttpRequestException e)
            {
                last = e.Message;
            }
            catch (TaskCanceledException) when (!ct.IsCancellationRequested)
            {
            }
            catch (JsonException e)
            {
                last = e.Message;
            }
            catch (KeyNotFoundException e)
            {
                last = e.Message;
            }

            await Task.Delay(200, ct);
        }

        throw new InvalidOperationException($"prometheus did not scrape every target within {timeout} ({last}):\n{ToolRunner.Tail(process.Log)}");
    }

    private static string Duration(TimeSpan t) =>
        t.TotalMilliseconds % 1000 == 0
            ? ((long)t.TotalSeconds).ToString(CultureInfo.InvariantCulture) + "s"
            : ((long)t.TotalMilliseconds).ToString(CultureInfo.InvariantCulture) + "ms";

    private static string Quote(string s) => "'" + s.Replace("'", "''", StringComparison.Ordinal) + "'";
}
