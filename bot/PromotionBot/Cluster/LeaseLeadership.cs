using k8s;
using k8s.Autorest;
using k8s.LeaderElection;
using k8s.LeaderElection.ResourceLock;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace PromotionBot.Cluster;

/// <summary>
/// Leader election on a coordination.k8s.io/v1 Lease with KubernetesClient's <see cref="LeaderElector"/>: exactly one
/// replica sees <see cref="IsLeader"/> true and runs cycles. The elector keeps trying after losing the Lease or after
/// API errors (a 409 on renew is one); on stop the Lease is released (holder written as "") so the other replica
/// takes over at once instead of after a full lease duration — KubernetesClient does not release by itself.
/// </summary>
public sealed class LeaseLeadership(IKubernetes client, LeaderElectionSettings settings, ILogger<LeaseLeadership> logger, TimeProvider? time = null)
    : BackgroundService
{
    private readonly TimeProvider clock = time ?? TimeProvider.System;
    private volatile bool leading;
    private volatile bool abandoned;

    /// <summary>True while this replica holds the Lease (renewed within the renew deadline).</summary>
    public bool IsLeader => leading;

    public string Identity => settings.Identity;

    /// <summary>Raised with true when this replica starts leading and false when it stops.</summary>
    public event Action<bool>? LeadershipChanged;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var leaseLock = new LeaseLock(client, settings.Namespace, settings.LeaseName, settings.Identity);
        using var elector = new LeaderElector(new LeaderElectionConfig(leaseLock)
        {
            LeaseDuration = settings.LeaseDuration,
            RenewDeadline = settings.RenewDeadline,
            RetryPeriod = settings.RetryPeriod,
        });
        elector.OnStartedLeading += () => SetLeading(true);
        elector.OnStoppedLeading += () => SetLeading(false);
        elector.OnNewLeader += leader => logger.LogInformation("Lease {Namespace}/{Lease}: leader is now {Leader}",
            settings.Namespace, settings.LeaseName, string.IsNullOrEmpty(leader) ? "(none)" : leader);
        elector.OnError += ex => logger.LogDebug("Lease {Lease}: {Error}", settings.LeaseName, ex.Message);
        logger.LogInformation("Leader election on Lease {Namespace}/{Lease} as {Identity} (lease {Duration}s)",
            settings.Namespace, settings.LeaseName, settings.Identity, settings.LeaseDuration.TotalSeconds);

        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                // Returns when leadership is lost (renewals failed past the deadline); then compete again.
                await elector.RunUntilLeadershipLostAsync(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception ex)
            {
                // Transport errors escape the elector (it only absorbs HTTP status errors): wait and compete again.
                SetLeading(false);
                logger.LogWarning("Lease {Lease}: election failed, retrying: {Error}", settings.LeaseName, ex.Message);
                try
                {
                    await Task.Delay(settings.RetryPeriod, clock, stoppingToken);
                }
                catch (OperationCanceledException)
                {
                    break;
                }
            }
        }

        SetLeading(false);
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        // Stop acting first, then stop renewing, then hand the Lease over.
        var wasLeading = leading;
        SetLeading(false);
        await base.StopAsync(cancellationToken);
        if (wasLeading && !abandoned)
        {
            await ReleaseAsync(cancellationToken);
        }
    }

    /// <summary>Test seam for a crash: stop renewing without releasing, as a killed process would.</summary>
    internal async Task AbandonAsync()
    {
        abandoned = true;
        SetLeading(false);
        await base.StopAsync(CancellationToken.None);
    }

    /// <summary>Writes holderIdentity "" if the Lease is still ours; a lost race (409) or a vanished Lease is fine.</summary>
    private async Task ReleaseAsync(CancellationToken ct)
    {
        try
        {
            var lease = await client.CoordinationV1.ReadNamespacedLeaseAsync(settings.LeaseName, settings.Namespace, cancellationToken: ct);
            if (lease.Spec?.HolderIdentity != settings.Identity)
            {
                return;
            }

            // Like client-go: empty holder, 1 s duration, fresh times (the elector treats a null time as "no Lease").
            var now = clock.GetUtcNow().UtcDateTime;
            lease.Spec.HolderIdentity = "";
            lease.Spec.LeaseDurationSeconds = 1;
            lease.Spec.AcquireTime = now;
            lease.Spec.RenewTime = now;
            await client.CoordinationV1.ReplaceNamespacedLeaseAsync(lease, settings.LeaseName, settings.Namespace, cancellationToken: ct);
            logger.LogInformation("Lease {Namespace}/{Lease} released by {Identity}", settings.Namespace, settings.LeaseName, settings.Identity);
        }
        catch (Exception ex) when (ex is HttpOperationException or HttpRequestException or OperationCanceledException)
        {
            // Not fatal: the others take over when the lease expires.
            logger.LogWarning("Lease {Lease}: release failed ({Error}); the other replica takes over after {Duration}s",
                settings.LeaseName, ex.Message, settings.LeaseDuration.TotalSeconds);
        }
    }

    private void SetLeading(bool value)
    {
        if (leading == value)
        {
            return;
        }

        leading = value;
        logger.LogInformation("{Identity} {Change} leader", settings.Identity, value ? "is now" : "is no longer");
        LeadershipChanged?.Invoke(value);
    }
}
