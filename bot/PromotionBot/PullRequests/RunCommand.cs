using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;
using PromotionBot.Analysis;
using PromotionBot.Git;
using PromotionBot.Hosting;
using PromotionBot.Metrics;

namespace PromotionBot.PullRequests;

/// <summary>
/// <c>run --once [--dry-run]</c>: one full promotion cycle configured by standard .NET configuration
/// (appsettings.json next to the executable, environment variables with <c>__</c>, <c>--Section:Key=value</c> arguments).
/// Exit codes: 0 every canary handled, 1 some canary could not be judged or acted on, 2 usage or configuration error.
/// </summary>
public static class RunCommand
{
    public const string Usage = """
        Usage: PromotionBot run [--once] [--dry-run] [--at TIME] [--Section:Key=value ...]

          (no --once) run as a service: a cycle on Worker:Schedule, /healthz, /readyz and /metrics on --urls
          --once      run one full cycle: analyze every canary, make GitHub match the decisions, print a summary
          --dry-run   print the pull requests that would be opened/updated/closed (diffs and bodies); change nothing
          --at TIME   evaluate metrics at this RFC 3339 time instead of now (replays, demos on recorded data)

        Configuration (appsettings.json, environment variables such as GitHub__Token, or --GitHub:Owner=acme):
          GitHub:ApiUrl (default https://api.github.com/), GitHub:Owner, GitHub:Repository,
          GitHub:Token  or  GitHub:AppId + GitHub:PrivateKeyPath + GitHub:InstallationId,
          Git:RemoteUrl (default the GitHub repository's HTTPS URL), Git:BaseBranch (default main), Git:CacheDirectory,
          Prometheus:Url, Prometheus:BearerToken, Links:Prometheus, Links:Grafana, Links:Kiali, Links:ArgoCd, Links:ArgoCdApplication,
          Cluster:Enabled (default true), Cluster:Kubeconfig (default KUBECONFIG), ArgoCd:Namespace (default argocd),
          Worker:Schedule (default '*/30 * * * * *', with seconds), Worker:TimeZone (default UTC), urls (default http://localhost:8080)
        """;

    public static Task<int> ExecuteAsync(string[] args, TextWriter stdout, TextWriter stderr, CancellationToken ct) =>
        ExecuteAsync(args, stdout, stderr, new RunEnvironment(TimeProvider.System, RetryOptions.Default, null), ct);

    /// <summary>Test seam: the clock (token expiry, rate-limit resets), GitHub and git retry pacing; everything else is the real thing.</summary>
    /// <param name="Environment">Environment variable lookup for KUBECONFIG/POD_* (null = the process environment).</param>
    internal sealed record RunEnvironment(TimeProvider Time, RetryOptions GitHubRetry, TimeSpan? GitRetryBaseDelay, Func<string, string?>? Environment = null);

    internal static async Task<int> ExecuteAsync(string[] args, TextWriter stdout, TextWriter stderr, RunEnvironment env, CancellationToken ct)
    {
        var rest = args.SkipWhile((a, i) => i == 0 && a == "run").ToList();
        if (rest.Any(a => a is "--help" or "-h" or "-?"))
        {
            await stdout.WriteLineAsync(Usage);
            return 0;
        }

        var once = rest.Remove("--once");
        var dryRun = rest.Remove("--dry-run");
        DateTimeOffset? at = null;
        var atIndex = rest.FindIndex(a => a == "--at" || a.StartsWith("--at=", StringComparison.Ordinal));
        if (atIndex >= 0)
        {
            var text = rest[atIndex].Length > 4 ? rest[atIndex][5..] : atIndex + 1 < rest.Count ? rest[atIndex + 1] : "";
            if (!DateTimeOffset.TryParse(text, System.Globalization.CultureInfo.InvariantCulture,
                    System.Globalization.DateTimeStyles.AssumeUniversal | System.Globalization.DateTimeStyles.AdjustToUniversal, out var parsed))
            {
                await stderr.WriteLineAsync($"error: --at must be an RFC 3339 time such as 2026-11-25T12:00:00Z, got '{text}'.");
                return 2;
            }

            at = parsed;
            rest.RemoveRange(atIndex, rest[atIndex].Length > 4 ? 1 : 2);
        }

        foreach (var key in TransportSecurity.SecretsOnCommandLine(rest))
        {
            await stderr.WriteLineAsync(TransportSecurity.CommandLineWarning(key));
        }

        for (var i = 0; i < rest.Count; i++)
        {
            if (!rest[i].StartsWith("--", StringComparison.Ordinal))
            {
                // Only the part before '=': the value may be a secret.
                await stderr.WriteLineAsync($"error: unexpected argument '{rest[i].Split('=')[0]}' (settings are --Section:Key=value).");
                return 2;
            }

            if (!rest[i].Contains('=', StringComparison.Ordinal))
            {
                i++; // "--Section:Key value": the next argument is the value
            }
        }

        if (!once)
        {
            // The hosted worker: cycles on Worker:Schedule, /healthz, /readyz, /metrics (Worker/WorkerHost.cs).
            return await Worker.WorkerHost.RunAsync([.. rest], at, dryRun, stdout, stderr, ct);
        }

        BotSettings settings;
        Cluster.ClusterSettings clusterSettings;
        try
        {
            var config = new ConfigurationBuilder()
                .AddJsonFile(Path.Combine(AppContext.BaseDirectory, "appsettings.json"), optional: true)
                .AddEnvironmentVariables()
                .AddCommandLine(rest.ToArray())
                .Build();
            settings = SettingsLoader.Load(config, gitHubOptional: dryRun);
            clusterSettings = Cluster.ClusterSettings.Load(config, env.Environment ?? Environment.GetEnvironmentVariable);
        }
        catch (SettingsException ex)
        {
            await stderr.WriteLineAsync(ex.Message);
            return 2;
        }
        catch (FormatException ex)
        {
            // Malformed appsettings.json or command-line switch; the message names it and holds no values.
            await stderr.WriteLineAsync($"error: {ex.Message}");
            return 2;
        }

        var secrets = new List<string?> { settings.GitHub?.Token, settings.Git.Token, settings.Prometheus.BearerToken };
        try
        {
            GitHubPullRequests? github = null;
            var gitOptions = settings.Git;
            if (settings.GitHub is { } gitHubSettings)
            {
                var connection = new GitHubConnection(gitHubSettings, env.Time);
                var githubLog = new TextWriterLogger<GitHubRetry>(stderr, LogLevel.Warning, secrets);
                var retry = new GitHubRetry(connection, env.GitHubRetry, env.Time, githubLog);
                github = new GitHubPullRequests(retry, settings.Git.BaseBranch);

                // Git over HTTPS authenticates with the same credential (an App's installation token when configured).
                if (gitHubSettings.UsesApp && gitOptions.Token is null && gitOptions.RemoteUrl.StartsWith("https://", StringComparison.OrdinalIgnoreCase))
                {
                    var token = await retry.RunAsync("installation token", async _ => await connection.TokenAsync(ct), ct);
                    secrets.Add(token);
                    gitOptions = gitOptions with { Token = token };
                }
            }
            else
            {
                await stderr.WriteLineAsync("warning: GitHub is not configured: previewing as if no bot pull request were open.");
            }

            using var git = new GitWorkspace(gitOptions, new TextWriterLogger<GitWorkspace>(stderr, LogLevel.Warning, secrets));
            if (env.GitRetryBaseDelay is { } delay)
            {
                git.RetryBaseDelay = delay;
            }

            using var http = new HttpClient();
            var prometheus = new PrometheusClient(http, new PrometheusOptions(settings.Prometheus.Url, settings.Prometheus.BearerToken));
            var cluster = Cluster.ClusterAccess.Connect(clusterSettings, new TextWriterLogger<Cluster.ClusterConnection>(stderr, LogLevel.Information, secrets));
            using var kubernetes = cluster?.Client as IDisposable;
            var cycle = new PromotionCycle(git, new CanaryAnalyzer(prometheus), github,
                settings.Links, at, env.Time, new TextWriterLogger<PromotionCycle>(stderr, LogLevel.Warning, secrets))
            {
                Gate = cluster is null ? null : new Cluster.SyncGate(new Cluster.ClusterReader(cluster.Client), git,
                    clusterSettings.ArgoCdNamespace, new TextWriterLogger<Cluster.SyncGate>(stderr, LogLevel.Information, secrets)),
            };

            var report = await cycle.RunAsync(dryRun, stdout, ct);
            var summary = new StringWriter();
            report.WriteSummary(summary);
            await stdout.WriteAsync(Redact.Secrets(summary.ToString(), secrets));
            return report.HasFailures ? 1 : 0;
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            // Whole-cycle failures (clone/fetch, listing PRs, Prometheus entirely down): one line, no stack, no secret.
            await stderr.WriteLineAsync(Redact.Secrets($"error: cycle failed: {ex.Message}", secrets));
            return 1;
        }
    }
}
