using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace PromotionBot.Worker;

public static class WorkerServiceCollectionExtensions
{
    /// <summary>
    /// Time until the host gives up on stopping services after SIGTERM. Below Kubernetes' default grace period and
    /// leaving room for the process to exit within 10 s even when a git operation does not observe cancellation.
    /// </summary>
    public static readonly TimeSpan ShutdownTimeout = TimeSpan.FromSeconds(8);

    /// <summary>
    /// The scheduled worker and what it reports through: schedule (Worker:* keys, validated on start), trigger,
    /// leadership (always leader unless another <see cref="ILeadership"/> is registered), status, readiness, metrics.
    /// The caller registers the <see cref="ICycleRunner"/>.
    /// </summary>
    public static IServiceCollection AddPromotionWorker(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<WorkerOptions>().Bind(configuration.GetSection(WorkerOptions.Section)).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<WorkerOptions>, WorkerOptionsValidator>());
        services.TryAddSingleton(sp =>
        {
            var problems = new List<string>();
            return sp.GetRequiredService<IOptions<WorkerOptions>>().Value.TryBuild(problems) ?? throw new OptionsValidationException(WorkerOptions.Section, typeof(WorkerOptions), problems);
        });

        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<ILeadership, AlwaysLeader>();
        services.TryAddSingleton<CycleTrigger>();
        services.TryAddSingleton<CycleStatus>();
        services.TryAddSingleton<Readiness>();
        services.AddMetrics();
        services.TryAddSingleton<PromotionMetrics>();
        services.TryAddSingleton<MetricsExport>();
        services.TryAddSingleton<PromotionWorker>();
        services.AddHostedService(sp => sp.GetRequiredService<PromotionWorker>());
        services.Configure<HostOptions>(o => o.ShutdownTimeout = ShutdownTimeout);
        return services;
    }

    /// <summary>The cycle of <c>run --once</c> behind <see cref="ICycleRunner"/>; needs AddPromotionBot.</summary>
    public static IServiceCollection AddPromotionCycleRunner(this IServiceCollection services, CycleRunnerOptions options)
    {
        services.TryAddSingleton(options.GitHubRetry);
        services.AddSingleton<ICycleRunner>(sp => new PromotionCycleRunner(sp, options, sp.GetRequiredService<IOptions<Configuration.BotOptions>>()));
        return services;
    }
}

/// <summary>Worker:* problems as options validation failures, one per problem.</summary>
internal sealed class WorkerOptionsValidator : IValidateOptions<WorkerOptions>
{
    public ValidateOptionsResult Validate(string? name, WorkerOptions options)
    {
        var problems = new List<string>();
        options.TryBuild(problems);
        return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
    }
}
