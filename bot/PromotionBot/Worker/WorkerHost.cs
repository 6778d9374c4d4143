using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;
using Microsoft.Extensions.Options;
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
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions
        {
            Args = configurationArgs,
            // appsettings.json ships beside the program; `dotnet run` would otherwise look in the caller's folder.
            ContentRootPath = AppContext.BaseDirectory,
        });

        // Console only; Logging:Console:FormatterName=json (Logging__Console__FormatterName in the container) switches to JSON lines.
        builder.Logging.ClearProviders();
        builder.Logging.AddConfiguration(builder.Configuration.GetSection("Logging"));
        builder.Logging.AddConsole();
        // The slim builder pins the simple formatter after the configuration binding; bind once more so the key wins.
        builder.Services.Configure<ConsoleLoggerOptions>(builder.Configuration.GetSection("Logging:Console"));

        var problems = new List<string>();
        BotSettings? settings = null;
        try
        {
            settings = SettingsLoader.Load(builder.Configuration, gitHubOptional: dryRun);
        }
        catch (SettingsException ex)
        {
            problems.AddRange(ex.Problems);
        }
        catch (FormatException ex)
        {
            problems.Add(ex.Message);
        }

        WorkerOptions.Read(builder.Configuration).TryBuild(problems);
        try
        {
            Cluster.ClusterSettings.Load(builder.Configuration, Environment.GetEnvironmentVariable);
        }
        catch (SettingsException ex)
        {
            problems.AddRange(ex.Problems);
        }

        if (problems.Count > 0 || settings is null)
        {
            WriteProblemsAsync(stderr, problems).GetAwaiter().GetResult();
            return null;
        }

        if (new[] { "urls", "http_ports", "https_ports" }.All(k => string.IsNullOrWhiteSpace(builder.Configuration[k])))
        {
            builder.WebHost.UseUrls(DefaultUrl);
        }

        var runner = new CycleRunnerOptions(at, dryRun, stdout);
        // Cluster first: its Lease leadership replaces the worker's always-leader default.
        builder.Services.AddPromotionBotCluster();
        builder.Services.AddPromotionCycleRunner(settings, configureRunner?.Invoke(runner) ?? runner);
        builder.Services.AddPromotionWorker(builder.Configuration);
        configureServices?.Invoke(builder.Services);

        var app = builder.Build();
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
