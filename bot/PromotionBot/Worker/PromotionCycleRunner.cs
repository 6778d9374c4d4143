using Microsoft.Extensions.Logging;
using PromotionBot.Analysis;
using PromotionBot.Git;
using PromotionBot.Hosting;
using PromotionBot.Metrics;
using PromotionBot.PullRequests;

namespace PromotionBot.Worker;

/// <summary>What the worker's cycles run with besides the validated settings.</summary>
/// <param name="EvaluateAt">Fixed metrics evaluation time (replays and demos on recorded data); null = now.</param>
/// <param name="DryRun">Preview every cycle (printed to <paramref name="DryRunOutput"/>); change nothing.</param>
public sealed record CycleRunnerOptions(DateTimeOffset? EvaluateAt, bool DryRun, TextWriter DryRunOutput)
{
    /// <summary>GitHub retry pacing; tests shorten it.</summary>
    public RetryOptions GitHubRetry { get; init; } = RetryOptions.Default;

    /// <summary>Git retry base delay; null keeps the workspace default.</summary>
    public TimeSpan? GitRetryBaseDelay { get; init; }
}

/// <summary>
/// <see cref="ICycleRunner"/> over today's <see cref="PromotionCycle"/>, wired like <c>run --once</c>: the GitHub
/// connection (App tokens refreshed as they near expiry), the Prometheus client and the clone cache live across cycles;
/// the workspace is rebuilt per cycle so HTTPS git always pushes with the current token. It always judges every canary:
/// a full cycle covers any canaries a trigger names.
/// </summary>
public sealed class PromotionCycleRunner : ICycleRunner, IDisposable
{
    private readonly BotSettings settings;
    private readonly CycleRunnerOptions options;
    private readonly TimeProvider time;
    private readonly ILoggerFactory loggers;
    private readonly List<string?> secrets;
    private readonly GitHubConnection? connection;
    private readonly GitHubRetry? retry;
    private readonly GitHubPullRequests? github;
    private readonly HttpClient http = new();
    private readonly CanaryAnalyzer analyzer;

    public PromotionCycleRunner(BotSettings settings, CycleRunnerOptions options, TimeProvider time, ILoggerFactory loggers)
    {
        this.settings = settings;
        this.options = options;
        this.time = time;
        this.loggers = loggers;
        secrets = [settings.GitHub?.Token, settings.Git.Token, settings.Prometheus.BearerToken];
        if (settings.GitHub is { } gitHub)
        {
            connection = new GitHubConnection(gitHub, time);
            retry = new GitHubRetry(connection, options.GitHubRetry, time, Logger<GitHubRetry>());
            github = new GitHubPullRequests(retry, settings.Git.BaseBranch);
        }

        analyzer = new CanaryAnalyzer(new PrometheusClient(http, new PrometheusOptions(settings.Prometheus.Url, settings.Prometheus.BearerToken)));
    }

    /// <summary>Argo CD sync gating for every cycle; null (no cluster) runs ungated.</summary>
    public Cluster.ClusterRuntime? Cluster { get; init; }

    /// <summary>Kept current with each cycle's policies for the Alertmanager webhook.</summary>
    public Cluster.CanaryDirectory? Canaries { get; init; }

    public async Task<CycleReport> RunCycleAsync(IReadOnlySet<string>? canaries, CancellationToken ct)
    {
        try
        {
            var gitOptions = settings.Git;
            if (connection is not null && retry is not null && settings.GitHub!.UsesApp && gitOptions.Token is null
                && gitOptions.RemoteUrl.StartsWith("https://", StringComparison.OrdinalIgnoreCase))
            {
                // Git over HTTPS authenticates with the App's installation token, refreshed by the connection.
                var token = await retry.RunAsync("installation token", async _ => await connection.TokenAsync(ct), ct);
                lock (secrets)
                {
                    if (!secrets.Contains(token))
                    {
                        secrets.Add(token);
                    }
                }

                gitOptions = gitOptions with { Token = token };
            }

            using var git = new GitWorkspace(gitOptions, Logger<GitWorkspace>());
            if (options.GitRetryBaseDelay is { } delay)
            {
                git.RetryBaseDelay = delay;
            }

            var cycle = new PromotionCycle(git, analyzer, github, settings.Links, options.EvaluateAt, time, Logger<PromotionCycle>())
            {
                Gate = Cluster?.CreateGate(git, loggers),
                Canaries = Canaries,
            };
            return await cycle.RunAsync(options.DryRun, options.DryRunOutput, ct);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            throw new CycleFailedException(Redact.Secrets(ex.Message, secrets), ex);
        }
    }

    public void Dispose() => http.Dispose();

    private RedactingLogger<T> Logger<T>() => new(loggers.CreateLogger<T>(), secrets);
}

/// <summary>A whole cycle failed (clone/fetch, listing pull requests, Prometheus entirely down); the message holds no secret.</summary>
public sealed class CycleFailedException(string message, Exception inner) : Exception(message, inner);
