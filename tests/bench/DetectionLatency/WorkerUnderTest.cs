using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using Demo.Orchestration;
using TestServers.GitHub;

namespace DetectionLatency;

/// <summary>
/// One real worker (<c>PromotionBot run</c>, child process) at production settings with its own git origin and GitHub
/// API stand-in, and what the benchmark observes of it: when each bot pull request first appeared on the stand-in
/// (polled every 50 ms), the cycles it finished (trigger, duration) and the Alertmanager webhook calls it accepted.
/// </summary>
public sealed partial class WorkerUnderTest : IAsyncDisposable
{
    public const string Owner = "bench";
    public const string RepositoryName = "gitops";
    public const string Token = "bench-github-token";

    private readonly ConcurrentDictionary<int, OpenedPull> _pulls = new();
    private readonly ConcurrentQueue<FinishedCycle> _cycles = new();
    private readonly ConcurrentQueue<WebhookCall> _webhooks = new();
    private readonly CancellationTokenSource _stop = new();
    private Task _poll = Task.CompletedTask;

    private WorkerUnderTest(string mode, GitHubTestServer github, Uri url)
    {
        Mode = mode;
        GitHub = github;
        Url = url;
    }

    /// <summary>"alert" (webhook on, Alertmanager routes to it) or "schedule" (no webhook token: the 30 s schedule alone).</summary>
    public string Mode { get; }

    public GitHubTestServer GitHub { get; }

    public Uri Url { get; }

    public WorkerProcess Process { get; private set; } = null!;

    public IReadOnlyCollection<OpenedPull> Pulls => [.. _pulls.Values.OrderBy(p => p.Number)];

    public IReadOnlyList<FinishedCycle> Cycles => [.. _cycles];

    public IReadOnlyList<WebhookCall> Webhooks => [.. _webhooks];

    /// <summary>Starts the GitHub stand-in in front of <paramref name="origin"/> and the worker against it.</summary>
    /// <param name="webhookToken">Alerting:WebhookToken; null leaves the webhook off, as a deployment without the Secret.</param>
    public static async Task<WorkerUnderTest> StartAsync(string mode, string workerAssembly, string origin, string workDirectory, int port,
        Uri prometheus, string kubeconfig, string? webhookToken, CancellationToken ct)
    {
        var github = await GitHubTestServer.StartAsync(Owner, RepositoryName, origin);
        github.AcceptToken(Token);
        var worker = new WorkerUnderTest(mode, github, new Uri($"http://127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}/"));
        try
        {
            // Production settings: no Worker:Schedule (the default */30 s), no Policy:TimeScale (1), the shipped policies.
            var settings = new List<KeyValuePair<string, string>>
            {
                new("GitHub:ApiUrl", github.ApiUrl.ToString()),
                new("GitHub:Token", Token),
                new("GitHub:Owner", Owner),
                new("GitHub:Repository", RepositoryName),
                new("Git:RemoteUrl", origin),
                new("Git:CacheDirectory", Path.Combine(workDirectory, "clone")),
                new("Prometheus:Url", prometheus.ToString()),
                new("Cluster:Kubeconfig", kubeconfig),
                // One replica: with election on, a cycle only waits for the first Lease round trip after start.
                new("LeaderElection:Enabled", "false"),
                new("Logging:Console:FormatterName", "json"),
                new("Logging:LogLevel:Microsoft.AspNetCore", "Warning"),
                // The worker's own clock on every line: cycle ends and webhook calls are timed where they happen, not when the pipe delivers them.
                new("Logging:Console:FormatterOptions:TimestampFormat", "yyyy-MM-ddTHH:mm:ss.fffZ"),
                new("Logging:Console:FormatterOptions:UseUtcTimestamp", "true"),
            };
            if (webhookToken is not null)
            {
                settings.Add(new("Alerting:WebhookToken", webhookToken));
            }

            var environment = new Dictionary<string, string?>(StringComparer.Ordinal)
            {
                ["ASPNETCORE_URLS"] = worker.Url.ToString().TrimEnd('/'),
                // Only the stand-in cluster named by Cluster:Kubeconfig; nothing of the caller's environment leaks in.
                ["KUBECONFIG"] = null,
                ["POD_NAME"] = null,
                ["POD_NAMESPACE"] = null,
                ["DOTNET_ENVIRONMENT"] = null,
                ["ASPNETCORE_ENVIRONMENT"] = null,
                ["DOTNET_gcServer"] = "0",
            };
            Directory.CreateDirectory(workDirectory);
            worker.Process = WorkerProcess.Start(workerAssembly, ["run", .. settings.Select(kv => $"--{kv.Key}={kv.Value}")], environment,
                Path.Combine(workDirectory, "worker.log"));
            worker.Process.Line += worker.OnLine;
            worker._poll = Task.Run(() => worker.PollAsync(worker._stop.Token), CancellationToken.None);
            await worker.Process.WaitHealthyAsync(worker.Url, $"the {mode} worker", TimeSpan.FromSeconds(90), ct);
            return worker;
        }
        catch
        {
            await worker.DisposeAsync();
            throw;
        }
    }

    /// <summary>The first rollback pull request for <paramref name="service"/> that appeared at or after <paramref name="since"/>.</summary>
    public OpenedPull? RollbackFor(string service, DateTimeOffset since) =>
        _pulls.Values.Where(p => p.Service == service && p.Decision == "rollback" && p.SeenAt >= since).MinBy(p => p.SeenAt);

    /// <summary>Rollback pull requests for <paramref name="service"/> that appeared before <paramref name="before"/> (a broken trial if any).</summary>
    public IReadOnlyList<OpenedPull> EarlyRollbacks(string service, DateTimeOffset before) =>
        [.. _pulls.Values.Where(p => p.Service == service && p.Decision == "rollback" && p.SeenAt < before)];

    /// <summary>
    /// The cycle that opened a pull request first seen at <paramref name="seenAt"/>: the last one that started before it. Its end must
    /// not be earlier than <see cref="SeenSlack"/> before: on a loaded machine the 50 ms poll can see a pull request a moment after the
    /// cycle that opened it has logged its end.
    /// </summary>
    public FinishedCycle? CycleAround(DateTimeOffset seenAt) =>
        _cycles.Where(c => c.StartedAt <= seenAt).MaxBy(c => c.StartedAt) is { } c && c.FinishedAt >= seenAt - SeenSlack ? c : null;

    /// <summary>How late the poll may see a pull request (also the tolerance against GitHub's whole-second created_at).</summary>
    public static readonly TimeSpan SeenSlack = TimeSpan.FromSeconds(2);

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        try
        {
            await _poll.WaitAsync(TimeSpan.FromSeconds(5));
        }
        catch (Exception ex) when (ex is OperationCanceledException or TimeoutException)
        {
            // Stopped.
        }

        if (Process is not null)
        {
            Process.Line -= OnLine;
            await Process.DisposeAsync();
        }

        await GitHub.DisposeAsync();
        _stop.Dispose();
    }

    /// <summary>Every 50 ms: new pull requests on the stand-in, with the time they were first seen (created_at has whole seconds only).</summary>
    private async Task PollAsync(CancellationToken ct)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(50));
        try
        {
            do
            {
                var now = DateTimeOffset.UtcNow;
                foreach (var pr in GitHub.PullRequests)
                {
                    var number = (int)pr["number"]!;
                    if (_pulls.ContainsKey(number) || Marker().Match((string?)pr["body"] ?? "") is not { Success: true } m)
                    {
                        continue;
                    }

                    var created = DateTimeOffset.Parse((string)pr["created_at"]!, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal);
                    _pulls.TryAdd(number, new OpenedPull(number, Uri.UnescapeDataString(m.Groups["name"].Value), m.Groups["kind"].Value,
                        (string?)pr["title"] ?? "", now, created));
                }
            }
            while (await timer.WaitForNextTickAsync(ct));
        }
        catch (OperationCanceledException)
        {
            // Stopped with the worker.
        }
    }

    private void OnLine(string line)
    {
        if (!line.StartsWith('{'))
        {
            return;
        }

        try
        {
            using var doc = JsonDocument.Parse(line);
            var root = doc.RootElement;
            var at = root.TryGetProperty("Timestamp", out var stamp) && DateTimeOffset.TryParse(stamp.GetString(), CultureInfo.InvariantCulture,
                DateTimeStyles.AssumeUniversal, out var logged) ? logged : DateTimeOffset.UtcNow;
            if (!root.TryGetProperty("State", out var state) || state.ValueKind != JsonValueKind.Object)
            {
                return;
            }

            // WorkerLog.Finished: "Cycle {Result} in {DurationSeconds} s at {BaseSha}: {Canaries} canaries, trigger {Trigger}".
            if (state.TryGetProperty("Trigger", out var trigger) && state.TryGetProperty("DurationSeconds", out var duration))
            {
                var seconds = duration.ValueKind == JsonValueKind.Number ? duration.GetDouble()
                    : double.Parse(duration.GetString() ?? "0", CultureInfo.InvariantCulture);
                _cycles.Enqueue(new FinishedCycle(at, TimeSpan.FromSeconds(seconds), trigger.ToString(),
                    state.TryGetProperty("Result", out var result) ? result.ToString() : ""));
            }

            // AlertmanagerWebhook: "Alertmanager webhook: {Alerts} alerts, immediate cycle for [{Triggered}], throttled [{Throttled}]".
            else if (state.TryGetProperty("Triggered", out var triggered) && state.TryGetProperty("Throttled", out var throttled))
            {
                _webhooks.Enqueue(new WebhookCall(at, triggered.ToString(), throttled.ToString()));
            }
        }
        catch (JsonException)
        {
            // Not a log line of the json formatter.
        }
    }

    // The bot's hidden marker (PullRequestMarker): <!-- promotion-bot: canary=ns/name decision=kind weights=v1:50,v2:50 base=sha -->
    [GeneratedRegex(@"<!--\s*promotion-bot:\s*canary=(?<ns>[^/\s]+)/(?<name>\S+)\s+decision=(?<kind>[a-z]+)\s")]
    private static partial Regex Marker();
}

/// <summary>A bot pull request: first seen on the stand-in (50 ms polling) and GitHub's created_at (whole seconds).</summary>
public sealed record OpenedPull(int Number, string Service, string Decision, string Title, DateTimeOffset SeenAt, DateTimeOffset CreatedAt);

/// <summary>A cycle the worker logged as finished (the line's timestamp), how long it ran and what started it.</summary>
public sealed record FinishedCycle(DateTimeOffset FinishedAt, TimeSpan Duration, string Trigger, string Result)
{
    public DateTimeOffset StartedAt => FinishedAt - Duration;
}

/// <summary>An Alertmanager webhook call the worker accepted: the canaries it triggered and those it throttled.</summary>
public sealed record WebhookCall(DateTimeOffset At, string Triggered, string Throttled);
