using System.CommandLine;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using PromotionBot.Cluster;
using PromotionBot.Configuration;
using PromotionBot.GitHub;
using PromotionBot.Hosting;
using PromotionBot.PullRequests;

namespace PromotionBot.Cli;

/// <summary>
/// <c>run [--once] [--dry-run] [--at TIME] [--Section:Key=value ...]</c>: the promotion cycle from the one host
/// (<see cref="PromotionBotHost"/>), configured by standard .NET configuration. Unrecognised <c>--Section:Key=value</c>
/// tokens are handed to configuration. Exit codes: 0 every canary handled, 1 some canary could not be judged or acted
/// on (or the cycle failed), 2 usage or configuration error.
/// </summary>
internal static class RunCommand
{
    private const string Description = "Run the promotion cycle: analyze every canary, make GitHub match the decisions (open/update/close PRs)";

    /// <summary>Printed after the generated help of <c>run --help</c>.</summary>
    public const string ConfigurationHelp = """
        Configuration (appsettings.json, environment variables such as GitHub__Token, or arguments such as --GitHub:Owner=acme):
          GitHub:ApiUrl (default https://api.github.com/), GitHub:Owner, GitHub:Repository,
          GitHub:Token  or  GitHub:AppId + GitHub:PrivateKeyPath + GitHub:InstallationId,
          Git:RemoteUrl (default the GitHub repository's HTTPS URL), Git:BaseBranch (default main), Git:CacheDirectory, Git:Token,
          Prometheus:Url, Prometheus:BearerToken, Prometheus:BasicAuthUser, Prometheus:BasicAuthPassword,
          Prometheus:TimeoutSeconds (default 30), Prometheus:Retries (default 2),
          Links:Prometheus, Links:Grafana, Links:Kiali, Links:ArgoCd, Links:ArgoCdApplication,
          Policy:TimeScale (default 1; demos: every policy duration divided by it),
          Worker:Schedule (default '*/30 * * * * *', with seconds), Worker:TimeZone (default UTC), urls (default http://localhost:8080),
          Logging:LogLevel:Default, Logging:Console:FormatterName (simple or json)

        Exit codes: 0 every canary handled, 1 some canary failed or the cycle failed, 2 usage or configuration error.
        """;

    public static Command Create(TextWriter stdout, TextWriter stderr, Action<WebApplicationBuilder>? configureHost)
    {
        var once = new Option<bool>("--once") { Description = "Run one full cycle, print a summary and exit (without it: the worker, cycles on a schedule)" };
        var dryRun = new Option<bool>("--dry-run") { Description = "Print the pull requests that would be opened/updated/closed (diffs and bodies); change nothing" };
        var at = new Option<DateTimeOffset?>("--at")
        {
            Description = $"Evaluate metrics at this RFC 3339 time (with zone, e.g. {Rfc3339.Example}) instead of now: replays, demos on recorded data",
            CustomParser = Rfc3339.Parse,
        };

        // .NET configuration switches (--GitHub:Owner=acme) are not options of this command: they reach configuration.
        var command = new Command("run", Description) { once, dryRun, at };
        command.TreatUnmatchedTokensAsErrors = false;
        command.SetAction(async (parse, ct) =>
        {
            var settings = parse.UnmatchedTokens.ToArray();
            foreach (var key in TransportSecurity.SecretsOnCommandLine(settings))
            {
                await stderr.WriteLineAsync(TransportSecurity.CommandLineWarning(key));
            }

            if (Array.Find(settings, IsStray) is { } stray)
            {
                // Only the part before '=': the value may be a secret.
                await stderr.WriteLineAsync($"error: unexpected argument '{stray.Split('=')[0]}' (settings are --Section:Key=value).");
                return BotCli.UsageError;
            }

            var request = new RunRequest(settings, parse.GetValue(dryRun), parse.GetValue(at));
            return parse.GetValue(once)
                ? await RunOnceAsync(request, stdout, stderr, configureHost, ct)
                : await RunWorkerAsync(request, stdout, stderr, ct);

            bool IsStray(string token)
            {
                var i = Array.IndexOf(settings, token);
                var previous = i > 0 ? settings[i - 1] : null;
                // "--Section:Key value": a value follows a switch without '='.
                return !token.StartsWith("--", StringComparison.Ordinal)
                       && !(previous is not null && previous.StartsWith("--", StringComparison.Ordinal) && !previous.Contains('=', StringComparison.Ordinal));
            }
        });
        return command;
    }

    /// <param name="ConfigurationArgs">The <c>--Section:Key=value</c> tokens, for the host's configuration.</param>
    internal sealed record RunRequest(string[] ConfigurationArgs, bool DryRun, DateTimeOffset? At);

    /// <summary><c>run</c> without <c>--once</c>: the hosted worker (Worker/WorkerHost.cs) on the same host builder.</summary>
    private static Task<int> RunWorkerAsync(RunRequest request, TextWriter stdout, TextWriter stderr, CancellationToken ct) =>
        Worker.WorkerHost.RunAsync(request.ConfigurationArgs, request.At, request.DryRun, stdout, stderr, ct);

    private static async Task<int> RunOnceAsync(RunRequest request, TextWriter stdout, TextWriter stderr, Action<WebApplicationBuilder>? configureHost, CancellationToken ct)
    {
        WebApplication app;
        try
        {
            var builder = PromotionBotHost.CreateBuilder(request.ConfigurationArgs);
            if (request.DryRun)
            {
                builder.Services.PostConfigure<BotOptions>(o => o.GitHubOptional = true);
            }

            builder.Services.AddClusterRuntime();
            configureHost?.Invoke(builder);
            app = builder.Build();
        }
        catch (Exception ex) when (ex is FormatException or InvalidDataException)
        {
            // Malformed appsettings.json or command-line switch; the message names it and holds no values.
            await stderr.WriteLineAsync($"error: {ex.Message}");
            return BotCli.UsageError;
        }

        await using (app)
        {
            BotOptions options;
            try
            {
                // What the host does when it starts: every ValidateOnStart check, all problems at once.
                app.Services.GetRequiredService<IStartupValidator>().Validate();
                options = app.Services.GetRequiredService<IOptions<BotOptions>>().Value;
                app.Services.GetRequiredService<ClusterRuntime>();
            }
            catch (SettingsException ex)
            {
                await stderr.WriteLineAsync(ex.Message);
                return BotCli.UsageError;
            }
            catch (OptionsValidationException ex)
            {
                await stderr.WriteLineAsync("Invalid configuration:" + string.Concat(ex.Failures.Select(f => Environment.NewLine + "  - " + f)));
                return BotCli.UsageError;
            }
            catch (InvalidOperationException ex)
            {
                // The binder could not convert a value (e.g. a number key holding text); its message names the key.
                await stderr.WriteLineAsync($"error: {ex.Message}");
                return BotCli.UsageError;
            }

            var secrets = options.Secrets.ToList();
            if (options.Policy.TimeScale != Policy.PolicyTimeScale.None)
            {
                await stderr.WriteLineAsync("warning: " + Policy.PolicyTimeScale.Warning(options.Policy.TimeScale, "Policy:TimeScale"));
            }

            if (!options.UsesGitHub)
            {
                await stderr.WriteLineAsync("warning: GitHub is not configured: previewing as if no bot pull request were open.");
            }

            try
            {
                var cycle = app.Services.GetRequiredService<PromotionCycle>();
                var report = await cycle.RunAsync(new CycleRequest(request.At, request.DryRun ? stdout : null), ct);
                var summary = new StringWriter();
                report.WriteSummary(summary);
                secrets.Add(InstallationToken(app, options));
                await stdout.WriteAsync(Redact.Secrets(summary.ToString(), secrets));
                return report.HasFailures ? BotCli.CanaryErrors : BotCli.Ok;
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !ct.IsCancellationRequested)
            {
                // Whole-cycle failures (clone/fetch, listing PRs, Prometheus entirely down): one line, no stack, no secret.
                secrets.Add(InstallationToken(app, options));
                await stderr.WriteLineAsync(Redact.Secrets($"error: cycle failed: {ex.Message}", secrets));
                return BotCli.CanaryErrors;
            }
        }
    }

    private static string? InstallationToken(WebApplication app, BotOptions options) =>
        options.UsesGitHub && options.GitHub.UsesApp ? app.Services.GetService<GitHubConnection>()?.CurrentToken : null;
}
