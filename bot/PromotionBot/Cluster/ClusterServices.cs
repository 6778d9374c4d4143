using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using PromotionBot.Git;

namespace PromotionBot.Cluster;

/// <summary>The cluster connection of this process (null: no cluster), made once at startup and logged once.</summary>
public sealed class ClusterRuntime(ClusterSettings settings, ClusterConnection? connection) : IDisposable
{
    public ClusterSettings Settings => settings;

    public ClusterConnection? Connection => connection;

    /// <summary>Gating for <c>run</c>; null without a cluster (then cycles are ungated, like <c>analyze</c>).</summary>
    public SyncGate? CreateGate(IGitWorkspace git, ILoggerFactory logs) => connection is null
        ? null
        : new SyncGate(new ClusterReader(connection.Client), git, settings.ArgoCdNamespace, logs.CreateLogger<SyncGate>());

    public void Dispose() => (connection?.Client as IDisposable)?.Dispose();
}

/// <summary>
/// Whether this replica may run cycles: the Lease's verdict when a cluster is reachable and LeaderElection:Enabled is
/// not false; otherwise always (a single replica outside a cluster, or election turned off on purpose).
/// </summary>
public sealed class ClusterLeadership(ClusterRuntime runtime, ILoggerFactory logs, TimeProvider time) : IHostedService, Worker.ILeadership
{
    private readonly LeaseLeadership? lease = runtime.Connection is { } c && runtime.Settings.LeaderElection.Enabled != false
        ? new LeaseLeadership(c.Client, runtime.Settings.LeaderElection, logs.CreateLogger<LeaseLeadership>(), time)
        : null;

    public bool IsLeader => lease?.IsLeader ?? true;

    /// <summary>True when leadership comes from the Lease (for the startup log and the leader metric).</summary>
    public bool IsElected => lease is not null;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (lease is null)
        {
            logs.CreateLogger<ClusterLeadership>().LogInformation("Leader election off ({Why}): this replica runs every cycle.",
                runtime.Connection is null ? "no cluster" : "LeaderElection:Enabled=false");
            return Task.CompletedTask;
        }

        return lease.StartAsync(cancellationToken);
    }

    /// <summary>On SIGTERM: stop acting, stop renewing, release the Lease.</summary>
    public Task StopAsync(CancellationToken cancellationToken) => lease?.StopAsync(cancellationToken) ?? Task.CompletedTask;
}

public static class ClusterServiceCollectionExtensions
{
    /// <summary>
    /// Cluster access (once, logged once), leader election as a hosted service (<see cref="ClusterLeadership"/>) and the
    /// Alertmanager webhook's services. The host still maps the endpoint (<c>MapAlertmanagerWebhook</c>), registers the
    /// worker's <see cref="Worker.CycleTrigger"/>, updates <see cref="CanaryDirectory"/> each cycle and gates cycles with
    /// <see cref="ClusterRuntime.CreateGate"/>. Registered before AddPromotionWorker, the Lease replaces its always-leader default.
    /// </summary>
    public static IServiceCollection AddPromotionBotCluster(this IServiceCollection services)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.AddClusterRuntime();
        services.AddSingleton<ClusterLeadership>();
        services.AddSingleton<Worker.ILeadership>(sp => sp.GetRequiredService<ClusterLeadership>());
        services.AddHostedService(sp => sp.GetRequiredService<ClusterLeadership>());
        services.AddAlertmanagerWebhook();
        return services;
    }

    /// <summary>
    /// Only the cluster connection (for gating in <c>run --once</c>): no election, no webhook. Settings problems surface
    /// as <see cref="Configuration.SettingsException"/> when <see cref="ClusterRuntime"/> is first resolved.
    /// </summary>
    public static IServiceCollection AddClusterRuntime(this IServiceCollection services)
    {
        services.TryAddSingleton(sp =>
        {
            var lookup = sp.GetService<ClusterEnvironment>()?.Lookup ?? Environment.GetEnvironmentVariable;
            var settings = ClusterSettings.Load(sp.GetRequiredService<IConfiguration>(), lookup);
            return new ClusterRuntime(settings, ClusterAccess.Connect(settings, sp.GetRequiredService<ILoggerFactory>().CreateLogger<ClusterRuntime>()));
        });
        return services;
    }
}

/// <summary>Where KUBECONFIG and POD_* are read from; tests register one so the test process's environment cannot leak in.</summary>
public sealed record ClusterEnvironment(Func<string, string?> Lookup);
