using Microsoft.Extensions.Logging;
using PromotionBot.Analysis;
using PromotionBot.Git;
using PromotionBot.Configuration;
using PromotionBot.Manifest;

namespace PromotionBot.PullRequests;

/// <summary>
/// One full cycle: sync the base branch, judge every canary, compute the plan against the bot PRs open on GitHub, and
/// make GitHub match it (branches, PRs, comments, labels, statuses). Everything the bot knows comes from git and
/// GitHub at the start of the cycle, so a crash at any point is repaired by the next cycle without duplicates.
/// The constructor takes long-lived services only; each <see cref="RunAsync"/> gets its own <see cref="CycleRequest"/>.
/// </summary>
public sealed partial class PromotionCycle(
    IGitWorkspace git,
    CanaryAnalyzer analyzer,
    IPullRequestClient pullRequests,
    LinkSettings links,
    TimeProvider time,
    ILogger<PromotionCycle> logger)
{
    /// <summary>Argo CD sync gating between analysis and planning; null when no cluster is reachable (or for analyze).</summary>
    public Cluster.SyncGate? Gate { get; init; }

    /// <summary>Updated with the policies of every cycle, so the Alertmanager webhook resolves alerts to canaries.</summary>
    public Cluster.CanaryDirectory? Canaries { get; init; }

    /// <summary>Hidden in the one comment the bot leaves when someone else committed on its branch.</summary>
    public const string ForeignCommitsMarker = "<!-- promotion-bot: foreign-commits -->";

    /// <summary>Points on the PR chart's x-axis.</summary>
    public const int ChartPoints = 11;

    public async Task<CycleReport> RunAsync(CycleRequest request, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(request);
        var prs = request.DryRunOutput is { } output ? new PreviewPullRequestClient(pullRequests, output) : pullRequests;
        var snapshot = await git.SyncAsync(ct);
        var run = await analyzer.AnalyzeAsync(snapshot.WorkDir, request.EvaluateAt ?? time.GetUtcNow(), ct);
        Canaries?.Update(run.Canaries.Select(c => c.Policy).OfType<Policy.CanaryPolicy>());
        if (Gate is not null)
        {
            run = await Gate.ApplyAsync(run, snapshot, ct);
        }

        var open = await prs.ListOpenAsync(ct);
        var orphans = await FindOrphansAsync(open, prs, ct);

        // Rollbacks first: if GitHub runs out of patience mid-cycle, the urgent PRs are already there.
        var plans = PromotionPlan.Compute(run, open.Bot, orphans)
            .Where(p => request.Canaries is null || request.Canaries.Contains(p.Key) || request.Canaries.Contains(p.Name))
            .OrderBy(p => p.Evaluation?.Decision?.Kind == DecisionKind.Rollback ? 0 : 1)
            .ToList();

        var lines = new List<CycleLine>();
        foreach (var plan in plans)
        {
            var decision = plan.Evaluation?.Decision?.Kind.ToString().ToLowerInvariant() ?? (plan.Evaluation?.Error is not null ? "error" : "-");
            var context = new CanaryContext(snapshot, run, plan, prs);
            var done = new List<string>();
            try
            {
                foreach (var action in plan.Actions)
                {
                    done.Add(await ExecuteAsync(action, context, ct));
                }

                // Not judged (bad file, Prometheus down or garbled) counts as a failure: exit code 1, never a quiet hold.
                var failedEvaluation = plan.Evaluation?.Error is not null || plan.Evaluation?.Signals?.Unavailable is not null;
                lines.Add(new CycleLine(plan.Name, decision, done.Count == 0 ? "nothing" : string.Join(", ", done), plan.Reason, failedEvaluation));
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !ct.IsCancellationRequested)
            {
                // One canary's failure (GitHub down past retries, a refused push) must not stop the others.
                CanaryFailed(logger, plan.Name, ex.Message);
                lines.Add(new CycleLine(plan.Name, decision, string.Join(", ", done.Append("failed")), ex.Message, Failed: true));
            }
        }

        if (request.Canaries is null)
        {
            foreach (var pr in open.Unrecognised)
            {
                lines.Add(new CycleLine(pr.HeadRef, "-", $"left #{pr.Number} alone", "open PR on a promotion/ branch without the bot's marker"));
            }
        }

        return new CycleReport(snapshot.BaseSha, request.DryRun, lines)
        {
            Canaries = CanaryObservation.From(run),
            OpenPullRequests = open.Bot.Select(pr => new OpenPullRequestKind(pr.Marker.Key, pr.Marker.Decision.ToString().ToLowerInvariant())).ToList(),
        };
    }

    private sealed record CanaryContext(RepoSnapshot Snapshot, AnalysisRun Run, CanaryPlan Plan, IPullRequestClient PullRequests);

    private async Task<string> ExecuteAsync(PlanAction action, CanaryContext c, CancellationToken ct) => action switch
    {
        OpenPullRequest open => await OpenAsync(open.Proposal, c, ct),
        RefreshPullRequest refresh => await RefreshAsync(refresh, c, ct),
        ClosePullRequest close => await CloseAsync(close, c, ct),
        DeleteOrphanBranch orphan => await c.PullRequests.DeleteOrphanBranchAsync(orphan.Orphan, orphan.Reason, ct),
        SetEvidenceStatus status => await c.PullRequests.SetStatusAsync(status.PullRequest, status.State, status.Description, ct),
        _ => throw new InvalidOperationException($"unknown action {action.GetType().Name}"),
    };

    private async Task<string> OpenAsync(PromotionProposal proposal, CanaryContext c, CancellationToken ct)
    {
        if (await c.PullRequests.FindDeclinedAsync(proposal.Branch, ct) is { } declined
            && declined.Marker.Decision == proposal.Decision.Kind
            && PullRequestMarker.SameWeights(declined.Marker.WeightMap, proposal.Decision.Next!))
        {
            // Reopening every cycle would overrule the reviewer; a new proposal (other weights or kind) asks again.
            return $"nothing (a person closed #{declined.Number} proposing this; reopen it to proceed)";
        }

        return await c.PullRequests.OpenAsync(Draft(proposal, c), ct);
    }

    private async Task<string> RefreshAsync(RefreshPullRequest refresh, CanaryContext c, CancellationToken ct)
    {
        var (pr, proposal) = (refresh.PullRequest, refresh.Proposal);
        var needsText = refresh.ProposalChanged || pr.Title != proposal.Title || pr.Marker.BaseSha != c.Snapshot.BaseSha;
        return await c.PullRequests.RefreshAsync(pr, Draft(proposal, c), refresh.ProposalChanged, needsText, ct);
    }

    private static async Task<string> CloseAsync(ClosePullRequest close, CanaryContext c, CancellationToken ct)
    {
        var pr = close.PullRequest;

        // The branch is reused when the same plan opens a new PR on it (rollback superseding an advance).
        var reused = c.Plan.Actions.Any(a => a is OpenPullRequest o && o.Proposal.Branch == pr.HeadRef)
                     || c.Plan.Actions.Any(a => a is RefreshPullRequest r && r.PullRequest.HeadRef == pr.HeadRef);
        return await c.PullRequests.CloseAsync(pr, close.Comment, close.Reason, deleteBranch: !reused, ct);
    }

    private PullRequestDraft Draft(PromotionProposal proposal, CanaryContext c)
    {
        var (change, diff) = BuildChange(proposal, c.Snapshot);
        return new PullRequestDraft(proposal, change, diff,
            async token => PullRequestBody.Render(proposal, c.Snapshot.BaseSha, await ChartAsync(proposal, c.Run, token), links));
    }

    private static (ProposedChange Change, string Diff) BuildChange(PromotionProposal proposal, RepoSnapshot snapshot)
    {
        var policy = proposal.Policy;
        var file = policy.VirtualService.File;
        var before = RepoFile.ReadText(snapshot.WorkDir, file);
        var after = VirtualServiceFile.WithWeights(file, before, policy.VirtualService.Name, policy.VirtualService.Route,
            policy.Stable, policy.Canary, proposal.Decision.Next!);
        var change = new ProposedChange(
            proposal.Branch,
            new Dictionary<string, string> { [file] = after },
            proposal.Title,
            string.Join('\n', proposal.Decision.Reasons),
            new Dictionary<string, string>
            {
                [CanaryTrailer] = proposal.Key,
                ["Promotion-Decision"] = proposal.Decision.Kind.ToString().ToLowerInvariant(),
                ["Promotion-Weights"] = PullRequestMarker.FormatWeights(proposal.NextWeights),
            });
        return (change, UnifiedDiff.Compute(file, before, after));
    }

    private async Task<ErrorRateChart?> ChartAsync(PromotionProposal proposal, AnalysisRun run, CancellationToken ct)
    {
        try
        {
            var series = await analyzer.ErrorRateSeriesAsync(proposal.Policy, run.EvaluatedAt, ChartPoints, ct);
            var times = series.Values.FirstOrDefault()?.Select(p => p.Time).ToList() ?? [];
            return new ErrorRateChart(times, series.ToDictionary(kv => kv.Key, kv => (IReadOnlyList<double?>)kv.Value.Select(p => p.Value).ToList()));
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // The chart is illustration; the decision's numbers are already in the body.
            ChartUnavailable(logger, proposal.Policy.Name, ex.Message);
            return null;
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Canary {Canary}: {Error}")]
    private static partial void CanaryFailed(ILogger logger, string canary, string error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Chart for {Canary} unavailable: {Error}")]
    private static partial void ChartUnavailable(ILogger logger, string canary, string error);
}
