using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using PromotionBot.Analysis;
using PromotionBot.Configuration;
using PromotionBot.Git;
using PromotionBot.GitHub;
using PromotionBot.Metrics;
using PromotionBot.PullRequests;

namespace PromotionBot.Hosting;

/// <summary>The composition root: every service of a promotion cycle, from configuration. Used by <c>run --once</c> and the worker.</summary>
public static class PromotionBotServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="PromotionCycle"/> and everything it needs: <see cref="BotOptions"/> bound from
    /// <paramref name="configuration"/> and validated at start, the typed Prometheus HttpClient, the git workspace, the
    /// GitHub client (or, for a dry run without GitHub keys, <see cref="OfflinePullRequestClient"/>), and
    /// <see cref="TimeProvider.System"/> unless a clock is registered already (tests register a fake one).
    /// </summary>
    public static IServiceCollection AddPromotionBot(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);

        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(RetryOptions.Default);
        services.AddOptions<BotOptions>().Bind(configuration).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IPostConfigureOptions<BotOptions>, BotOptionsDefaults>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<BotOptions>, BotOptionsValidator>());

        // A request per query at Information would drown the bot's own lines.
        services.AddLogging(logging => logging.AddFilter("System.Net.Http.HttpClient", LogLevel.Warning));

        services.AddHttpClient(nameof(PrometheusClient)).AddTypedClient((http, sp) => new PrometheusClient(
            http,
            Options(sp).Prometheus,
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILogger<PrometheusClient>>()));
        services.AddTransient<ISignalSource, SignalReader>();
        services.AddTransient(sp => new CanaryAnalyzer(sp.GetRequiredService<ISignalSource>(), Options(sp).Policy.TimeScale));

        services.AddSingleton(sp => new GitHubConnection(Options(sp).GitHub, sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton(sp => new GitHubRetry(
            sp.GetRequiredService<GitHubConnection>(),
            sp.GetRequiredService<RetryOptions>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILogger<GitHubRetry>>()));
        services.AddSingleton(sp => new GitHubPullRequests(sp.GetRequiredService<GitHubRetry>(), Options(sp).Git.BaseBranch));
        services.AddSingleton<IGitWorkspace>(sp => CreateWorkspace(sp, Options(sp)));
        services.AddSingleton<IPullRequestClient>(sp => Options(sp).UsesGitHub
            ? new GitHubPullRequestClient(sp.GetRequiredService<GitHubPullRequests>(), sp.GetRequiredService<IGitWorkspace>())
            : new OfflinePullRequestClient());

        services.AddTransient(sp => new PromotionCycle(
            sp.GetRequiredService<IGitWorkspace>(),
            sp.GetRequiredService<CanaryAnalyzer>(),
            sp.GetRequiredService<IPullRequestClient>(),
            Options(sp).LinkSettings(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILogger<PromotionCycle>>())
        {
            // Gating only where a cluster runtime is registered (run, run --once); analyze stays cluster-free.
            Gate = sp.GetService<Cluster.ClusterRuntime>()?.CreateGate(sp.GetRequiredService<IGitWorkspace>(), sp.GetRequiredService<ILoggerFactory>()),
            Canaries = sp.GetService<Cluster.CanaryDirectory>(),
        });
        return services;
    }

    private static BotOptions Options(IServiceProvider sp) => sp.GetRequiredService<IOptions<BotOptions>>().Value;

    private static GitWorkspace CreateWorkspace(IServiceProvider sp, BotOptions options)
    {
        var git = options.Git;
        Func<CancellationToken, Task<string>>? tokenSource = null;
        if (options.UsesGitHub && options.GitHub.UsesApp && git.Token is null && git.RemoteUrl.StartsWith("https://", StringComparison.OrdinalIgnoreCase))
        {
            // Git over HTTPS authenticates with the App's installation token, which expires: ask for the current one each time.
            var retry = sp.GetRequiredService<GitHubRetry>();
            tokenSource = ct => retry.RunAsync("installation token", _ => retry.Connection.TokenAsync(ct), ct);
        }

        return new GitWorkspace(git, sp.GetRequiredService<ILogger<GitWorkspace>>(), sp.GetRequiredService<TimeProvider>(), tokenSource);
    }
}
