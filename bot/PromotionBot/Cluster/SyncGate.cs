using Microsoft.Extensions.Logging;
using PromotionBot.Analysis;
using PromotionBot.Git;
using PromotionBot.Manifest;
using PromotionBot.Policy;

namespace PromotionBot.Cluster;

/// <summary>
/// The pass between analysis and planning that asks whether the step the analysis measured is what runs in the
/// cluster, and long enough: an advance or promote whose step is not live becomes a hold with a <see cref="NotLiveCause"/>.
/// Rollbacks and holds pass untouched, so reverting to the stable version never waits for Argo CD.
/// </summary>
public sealed class SyncGate(ClusterReader cluster, IGitWorkspace git, string argoCdNamespace, ILogger<SyncGate> logger)
{
    public async Task<AnalysisRun> ApplyAsync(AnalysisRun run, RepoSnapshot snapshot, CancellationToken ct)
    {
        var canaries = new List<CanaryEvaluation>(run.Canaries.Count);
        foreach (var evaluation in run.Canaries)
        {
            if (evaluation is not { Policy: { } policy, Weights: { } weights, Decision: { Kind: DecisionKind.Advance or DecisionKind.Promote } decision })
            {
                canaries.Add(evaluation);
                continue;
            }

            NotLiveCause? cause;
            try
            {
                cause = await CheckAsync(policy, weights, snapshot.BaseSha, run.EvaluatedAt, ct);
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !ct.IsCancellationRequested)
            {
                // The cluster API down or an odd live object: as with Prometheus down, hold rather than act blind.
                cause = new LiveStateUnknown(ex.Message);
            }

            if (cause is null)
            {
                logger.LogInformation("Canary {Canary}: step is live; {Decision} goes ahead", policy.Name, decision.Kind.ToString().ToLowerInvariant());
                canaries.Add(evaluation);
                continue;
            }

            logger.LogInformation("Canary {Canary}: {Decision} held, step not live: {Cause}",
                policy.Name, decision.Kind.ToString().ToLowerInvariant(), cause.ToJson().ToJsonString());
            canaries.Add(evaluation with { Decision = Hold(decision, cause) });
        }

        return run with { Canaries = canaries };
    }

    /// <summary>Null when the step git describes is live and has been for a full analysis window at <paramref name="evaluatedAt"/>.</summary>
    public async Task<NotLiveCause?> CheckAsync(CanaryPolicy policy, RouteWeights gitWeights, string baseSha, DateTimeOffset evaluatedAt, CancellationToken ct)
    {
        var vsName = policy.VirtualService.Name;
        var vs = await cluster.VirtualServiceAsync(policy.Namespace, vsName, ct);
        if (vs is null)
        {
            return new LiveStateUnknown($"VirtualService {policy.Namespace}/{vsName} not found in the cluster");
        }

        // The policy's explicit name wins over the annotation (label tracking, or an Application renamed by hand).
        var (appNamespace, appName) = policy.ArgoCdApplication is { } named
            ? (argoCdNamespace, named)
            : vs.Tracking is { } tracking ? (tracking.ApplicationNamespace ?? argoCdNamespace, tracking.Application) : (argoCdNamespace, null);
        if (appName is null)
        {
            return new LiveStateUnknown(
                $"VirtualService {policy.Namespace}/{vsName} has no {TrackingId.Annotation} annotation and the policy sets no spec.argocd.application");
        }

        var app = await cluster.ApplicationAsync(appNamespace, appName, ct);
        if (app is null)
        {
            return new LiveStateUnknown($"Argo CD Application {appNamespace}/{appName} not found");
        }

        var required = await git.LastCommitChangingAsync(baseSha, policy.VirtualService.File, ct);
        if (required is null)
        {
            return new LiveStateUnknown($"no commit on the base branch changed {policy.VirtualService.File}");
        }

        if (!app.IsSynced || app.OperationPhase is "Running" or "Terminating" || !await ContainsAnyAsync(app.Revisions, required, ct))
        {
            return new WaitingForSync(app.Name, required, app.Revisions, app.SyncStatus, app.OperationPhase);
        }

        if (!app.IsHealthy)
        {
            return new ApplicationUnhealthy(app.Name, app.Health);
        }

        var live = vs.Weights(policy);
        var (gitStable, gitCanary) = (gitWeights.Of(policy.Stable), gitWeights.Of(policy.Canary));
        var (liveStable, liveCanary) = (live.Of(policy.Stable), live.Of(policy.Canary));
        if (gitStable != liveStable || gitCanary != liveCanary)
        {
            return new WeightsDrift(policy.Stable, policy.Canary, gitStable, gitCanary, liveStable, liveCanary);
        }

        // The window ends at the evaluation time; it must not reach back into the previous step's traffic.
        if (app.FinishedAt is { } finished && evaluatedAt - policy.Analysis.Window < finished)
        {
            var elapsed = evaluatedAt - finished;
            return new Soaking(elapsed < TimeSpan.Zero ? TimeSpan.Zero : elapsed, policy.Analysis.Window, finished);
        }

        return null;
    }

    private static Decision Hold(Decision decision, NotLiveCause cause) => decision with
    {
        Kind = DecisionKind.Hold,
        HoldReason = HoldReason.NotLive,
        Next = null,
        Reasons = [cause.Text, .. decision.Reasons],
        Causes = [DecisionCause.NotLive],
        NotLive = cause,
    };

    private async Task<bool> ContainsAnyAsync(IReadOnlyList<string> revisions, string required, CancellationToken ct)
    {
        foreach (var revision in revisions)
        {
            // Unknown to the clone (newer than the last fetch, or a Helm chart version): not proven, so not live yet.
            if (await git.ContainsAsync(revision, required, ct) == true)
            {
                return true;
            }
        }

        return false;
    }
}
