using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;
using Microsoft.Extensions.Options;
using PromotionBot.Configuration;
using PromotionBot.Cluster;
using PromotionBot.Hosting;

namespace PromotionBot.Worker;

/// <summary>
/// <c>run</c> without <c>--once</c>: a web host with the scheduled worker, /healthz, /readyz and /metrics.
/// Configuration is the standard .NET stack (appsettings.json beside the program, environment, <c>--Section:Key=value</c>);
/// the listening address is ASP.NET Core's <c>urls</c> setting (<c>--urls</c>, <c>ASPNETCORE_URLS</c>).
/// </summary>
public static class WorkerHost
{
    /// <summary>Used when no urls/http_ports setting is given: local runs stay on loopback; the container sets ASPNETCORE_URLS.</summary>
    public const string DefaultUrl = "http://localhost:8080";

    /// <summary>Exit codes as <c>run --once</c>: 0 stopped normally (SIGTERM, Ctrl+C), 2 configuration error.</summary>
    public static async Task<int> RunAsync(string[] configurationArgs, DateTimeOffset? at, bool dryRun, TextWriter stdout, TextWriter stderr, CancellationToken ct)
    {
        await using var app = TryBuild(configurationArgs, at, dryRun, stdout, stderr);
        if (app is null)
        {
            return 2;
        }

        try
        {
            await app.RunAsync(ct);
            return 0;
        }
        catch (OptionsValidationException ex)
        {
            await WriteProblemsAsync(stderr, ex.Failures);
            return 2;
        }
    }

    /// <summary>The configured host, or null after writing every configuration problem to <paramref name="stderr"/> (one per line, no values of secrets).</summary>
    /// <param name="configureServices">Test seam: replace the clock, retry pacing, leadership.</param>
    public static WebApplication? TryBuild(string[] configurationArgs, DateTimeOffset? at, bool dryRun, TextWriter stdout, TextWriter stderr,
        Action<IServiceCollection>? configureServices = null, Func<CycleRunnerOptions, CycleRunnerOptions>? configureRunner = null)
    {
        var builder = PromotionBotHost.CreateBuilder(configurationArgs);
        // A service logs to stdout like any container; only run --once keeps stdout for its summary.
        builder.Services.PostConfigure<ConsoleLoggerOptions>(o => o.LogToStandardErrorThreshold = LogLevel.None);
        if (dryRun)
        {
            builder.Services.PostConfigure<BotOptions>(o => o.GitHubOptional = true);
        }

        if (new[] { "urls", "http_ports", "https_ports" }.All(k => string.IsNullOrWhiteSpace(builder.Configuration[k])))
        {
            builder.WebHost.UseUrls(DefaultUrl);
        }

        var runner = configureRunner?.Invoke(new CycleRunnerOptions(at, dryRun, stdout)) ?? new CycleRunnerOptions(at, dryRun, stdout);
        // Cluster first: its Lease leadership replaces the worker's always-leader default.
        builder.Services.AddPromotionBotCluster();
        builder.Services.AddPromotionCycleRunner(runner);
        builder.Services.AddPromotionWorker(builder.Configuration);
        configureServices?.Invoke(builder.Services);

        var app = builder.Build();
        try
        {
            // Every ValidateOnStart check (BotOptions, WorkerOptions) before anything listens: all problems at once.
            app.Services.GetRequiredService<IStartupValidator>().Validate();
            app.Services.GetRequiredService<ClusterRuntime>();
        }
        catch (SettingsException ex)
        {
            WriteProblemsAsync(stderr, ex.Problems).GetAwaiter().GetResult();
            app.DisposeAsync().AsTask().GetAwaiter().GetResult();
            return null;
        }
        catch (Exception ex) when (ex is OptionsValidationException or AggregateException)
        {
            var problems = ex is AggregateException all
                ? all.InnerExceptions.OfType<OptionsValidationException>().SelectMany(e => e.Failures)
                : ((OptionsValidationException)ex).Failures;
            WriteProblemsAsync(stderr, problems).GetAwaiter().GetResult();
            app.DisposeAsync().AsTask().GetAwaiter().GetResult();
            return null;
        }

        var policy = app.Services.GetRequiredService<IOptions<BotOptions>>().Value.Policy;
        if (policy.TimeScale != Policy.PolicyTimeScale.None)
        {
            WorkerLog.TimeScaled(app.Services.GetRequiredService<ILogger<PromotionWorker>>(), Policy.PolicyTimeScale.Warning(policy.TimeScale, "Policy:TimeScale"));
        }

        app.MapPromotionWorkerEndpoints();
        app.MapAlertmanagerWebhook();
        return app;
    }

    private static async Task WriteProblemsAsync(TextWriter stderr, IEnumerable<string> problems)
    {
        // Same shape as SettingsException's message: a header, then one line per problem.
        await stderr.WriteLineAsync("Invalid configuration:");
        foreach (var problem in problems)
        {
            await stderr.WriteLineAsync("  - " + problem);
        }
    }
}
