using Microsoft.Extensions.Logging;
using PromotionBot.Analysis;
using PromotionBot.Git;
using PromotionBot.Hosting;
using PromotionBot.Manifest;

namespace PromotionBot.PullRequests;

/// <summary>
/// One full cycle: sync the base branch, judge every canary, compute the plan against the bot PRs open on GitHub, and
/// make GitHub match it (branches, PRs, comments, labels, statuses). Everything the bot knows comes from git and
/// GitHub at the start of the cycle, so a crash at any point is repaired by the next cycle without duplicates.
/// </summary>
/// <param name="gitHubOrNullForOfflineDryRun">Null only for a dry run without GitHub settings: previews assume no open bot PRs.</param>
/// <param name="evaluateAt">Metrics evaluation time; null = now by <paramref name="time"/>.</param>
public sealed partial class PromotionCycle(
    GitWorkspace git,
    CanaryAnalyzer analyzer,
    GitHubPullRequests? gitHubOrNullForOfflineDryRun,
    LinkSettings links,
    DateTimeOffset? evaluateAt,
    TimeProvider time,
    ILogger logger)
{
    private GitHubPullRequests GitHub => gitHubOrNullForOfflineDryRun
        ?? throw new InvalidOperationException("GitHub is not configured; only a dry run can do without it.");

    /// <summary>Argo CD sync gating between analysis and planning; null when no cluster is reachable (or for analyze).</summary>
    public Cluster.SyncGate? Gate { get; init; }

    /// <summary>Updated with the policies of every cycle, so the Alertmanager webhook resolves alerts to canaries.</summary>
    public Cluster.CanaryDirectory? Canaries { get; init; }

    /// <summary>Hidden in the one comment the bot leaves when someone else committed on its branch.</summary>
    public const string ForeignCommitsMarker = "<!-- promotion-bot: foreign-commits -->";

    /// <summary>Points on the PR chart's x-axis.</summary>
    public const int ChartPoints = 11;

    /// <param name="dryRun">Compute and print everything (diffs, bodies) to <paramref name="dryRunOutput"/>; no push, no GitHub write.</param>
    public async Task<CycleReport> RunAsync(bool dryRun, TextWriter dryRunOutput, CancellationToken ct)
    {
        var snapshot = await git.SyncAsync(ct);
        var run = await analyzer.AnalyzeAsync(snapshot.WorkDir, evaluateAt ?? time.GetUtcNow(), ct);
        Canaries?.Update(run.Canaries.Select(c => c.Policy).OfType<Policy.CanaryPolicy>());
        if (Gate is not null)
        {
            run = await Gate.ApplyAsync(run, snapshot, ct);
        }
        if (gitHubOrNullForOfflineDryRun is null && !dryRun)
        {
            throw new InvalidOperationException("GitHub is not configured; only a dry run can do without it.");
        }

        var (open, unrecognised) = gitHubOrNullForOfflineDryRun is null ? ([], []) : await GitHub.ListOpenAsync(ct);
        var orphans = gitHubOrNullForOfflineDryRun is null ? [] : await FindOrphansAsync(open, unrecognised, ct);
        // Rollbacks first: if GitHub runs out of patience mid-cycle, the urgent PRs are already there.
        var plans = PromotionPlan.Compute(run, open, orphans)
            .OrderBy(p => p.Evaluation?.Decision?.Kind == DecisionKind.Rollback ? 0 : 1)
            .ToList();

        var lines = new List<CycleLine>();
        foreach (var plan in plans)
        {
            var decision = plan.Evaluation?.Decision?.Kind.ToString().ToLowerInvariant() ?? (plan.Evaluation?.Error is not null ? "error" : "-");
            var context = new CanaryContext(snapshot, run, plan, dryRun, dryRunOutput);
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
                logger.LogError("Canary {Canary}: {Error}", plan.Name, ex.Message);
                lines.Add(new CycleLine(plan.Name, decision, string.Join(", ", done.Append("failed")), ex.Message, Failed: true));
            }
        }

        foreach (var pr in unrecognised)
        {
            lines.Add(new CycleLine(pr.Head.Ref, "-", $"left #{pr.Number} alone", "open PR on a promotion/ branch without the bot's marker"));
        }

        return new CycleReport(snapshot.BaseSha, dryRun, lines)
        {
            Canaries = CanaryObservation.From(run),
            OpenPullRequests = open.Select(pr => new OpenPullRequestKind(pr.Marker.Key, pr.Marker.Decision.ToString().ToLowerInvariant())).ToList(),
        };
    }

    private sealed record CanaryContext(RepoSnapshot Snapshot, AnalysisRun Run, CanaryPlan Plan, bool DryRun, TextWriter Output);

    private async Task<string> ExecuteAsync(PlanAction action, CanaryContext c, CancellationToken ct) => action switch
    {
        OpenPullRequest open => await OpenAsync(open.Proposal, c, ct),
        RefreshPullRequest refresh => await RefreshAsync(refresh, c, ct),
        ClosePullRequest close => await CloseAsync(close, c, ct),
        DeleteOrphanBranch orphan => await DeleteOrphanAsync(orphan, c, ct),
        SetEvidenceStatus status => await StatusAsync(status.PullRequest.Number, status.PullRequest.HeadSha, status.State, status.Description, c, ct),
        _ => throw new InvalidOperationException($"unknown action {action.GetType().Name}"),
    };

    private async Task<string> OpenAsync(PromotionProposal proposal, CanaryContext c, CancellationToken ct)
    {
        if (gitHubOrNullForOfflineDryRun is not null && await GitHub.FindDeclinedAsync(proposal.Branch, ct) is { } declined
            && declined.Marker.Decision == proposal.Decision.Kind
            && PullRequestMarker.SameWeights(declined.Marker.WeightMap, proposal.Decision.Next!))
        {
            // Reopening every cycle would overrule the reviewer; a new proposal (other weights or kind) asks again.
            return $"nothing (a person closed #{declined.Number} proposing this; reopen it to proceed)";
        }

        var (change, diff) = BuildChange(proposal, c.Snapshot);
        var body = PullRequestBody.Render(proposal, c.Snapshot.BaseSha, await ChartAsync(proposal, c.Run, ct), links);
        if (c.DryRun)
        {
            Print(c.Output, $"would open: \"{proposal.Title}\" ({proposal.Branch} → base, labels {string.Join(", ", proposal.Labels)})", diff, body);
            return "would open PR";
        }

        var published = await git.PublishAsync(change, ct);
        if (published.Outcome == PublishOutcome.ForeignCommits)
        {
            if (proposal.IsRollback)
            {
                // An urgent rollback must not be silently dropped: fail loudly so the cycle exits non-zero.
                throw new InvalidOperationException(
                    $"rollback blocked: branch {proposal.Branch} holds commits by someone else ({published.Detail}); delete that branch so the bot can push the rollback");
            }

            return $"left {proposal.Branch} alone (foreign commits: {published.Detail})";
        }

        var (pr, created) = await GitHub.CreateAsync(proposal.Branch, proposal.Title, body, ct);
        if (!created && (pr.Title != proposal.Title || pr.Body != body))
        {
            // Adopted an existing PR (lost response or a concurrent run): make it say what this cycle proposes.
            pr = await GitHub.UpdateAsync(pr.Number, proposal.Title, body, ct);
        }

        await GitHub.EnsureLabelsAsync(pr, proposal.Labels, ct);
        await GitHub.SetStatusAsync(published.HeadSha, EvidenceState.Success, EvidenceSummary.Describe(proposal), pr.HtmlUrl, ct);
        return created ? $"opened #{pr.Number}" : $"updated #{pr.Number}";
    }

    private async Task<string> RefreshAsync(RefreshPullRequest refresh, CanaryContext c, CancellationToken ct)
    {
        var (pr, proposal) = (refresh.PullRequest, refresh.Proposal);
        var (change, diff) = BuildChange(proposal, c.Snapshot);
        var needsText = refresh.ProposalChanged || pr.Title != proposal.Title || pr.Marker.BaseSha != c.Snapshot.BaseSha;
        if (c.DryRun)
        {
            if (!needsText)
            {
                return $"would keep #{pr.Number} (status success)";
            }

            var preview = PullRequestBody.Render(proposal, c.Snapshot.BaseSha, await ChartAsync(proposal, c.Run, ct), links);
            Print(c.Output, $"would update #{pr.Number}: \"{proposal.Title}\"", diff, preview);
            return $"would update #{pr.Number}";
        }

        var published = await git.PublishAsync(change, ct);
        if (published.Outcome == PublishOutcome.ForeignCommits)
        {
            // A person committed on the bot's branch: the PR is no longer what the bot verified (a rollback may not even
            // roll back any more). Their commit stays, but the PR says so (status on its head, one comment) and the
            // cycle fails loudly — never "left alone" in silence.
            await GitHub.SetStatusAsync(published.HeadSha, EvidenceState.Failure,
                "Someone else committed on this bot branch: the bot can no longer verify or update this pull request", pr.HtmlUrl, ct);
            await GitHub.CommentOnceAsync(pr.Number, ForeignCommitsMarker,
                $"**The bot cannot update this pull request:** its branch {GitHubText.Code(pr.HeadRef)} now holds a commit that is not the bot's " +
                $"({GitHubText.Text(published.Detail)}).\n\nThe bot now proposes: {GitHubText.Text(proposal.Title)}. " +
                "Review the branch by hand, or close this pull request and delete the branch so the bot can open a fresh one.", ct);
            throw new InvalidOperationException(
                $"{(pr.Marker.IsRollback ? "rollback" : "pull request")} #{pr.Number} blocked: branch {pr.HeadRef} holds commits by someone else ({published.Detail}); " +
                "status failure and a comment are on the pull request");
        }

        var result = new List<string>();
        if (needsText || published.Outcome == PublishOutcome.Pushed)
        {
            var body = PullRequestBody.Render(proposal, c.Snapshot.BaseSha, await ChartAsync(proposal, c.Run, ct), links);
            await GitHub.UpdateAsync(pr.Number, proposal.Title, body, ct);
            result.Add(refresh.ProposalChanged ? $"updated #{pr.Number}"
                : published.Outcome == PublishOutcome.Pushed ? $"rebased #{pr.Number}" : $"refreshed #{pr.Number}");
        }

        await GitHub.EnsureLabelsAsync(pr, proposal.Labels, ct);
        if (await GitHub.SetStatusAsync(published.HeadSha, EvidenceState.Success, EvidenceSummary.Describe(proposal), pr.HtmlUrl, ct) && result.Count == 0)
        {
            result.Add($"status success on #{pr.Number}");
        }

        return result.Count == 0 ? $"nothing (#{pr.Number} up to date)" : string.Join(", ", result);
    }

    private async Task<string> CloseAsync(ClosePullRequest close, CanaryContext c, CancellationToken ct)
    {
        var pr = close.PullRequest;
        if (c.DryRun)
        {
            c.Output.WriteLine($"=== would close #{pr.Number} \"{pr.Title}\" with comment:");
            c.Output.WriteLine(close.Comment);
            c.Output.WriteLine();
            return $"would close #{pr.Number}";
        }

        // Idempotent: after a crash between comment and close, the retried close does not comment twice.
        await GitHub.CloseAsync(pr.Number, close.Comment, GitHubPullRequests.ClosingMarker(close.Reason, pr.HeadSha), ct);

        // The branch is reused when the same plan opens a new PR on it (rollback superseding an advance).
        var reused = c.Plan.Actions.Any(a => a is OpenPullRequest o && o.Proposal.Branch == pr.HeadRef)
                     || c.Plan.Actions.Any(a => a is RefreshPullRequest r && r.PullRequest.HeadRef == pr.HeadRef);
        if (!reused && !await git.DeleteBranchAsync(pr.HeadRef, ct))
        {
            return $"closed #{pr.Number} (kept branch {pr.HeadRef}: it has foreign commits)";
        }

        return $"closed #{pr.Number}";
    }

    private async Task<string> StatusAsync(int number, string sha, EvidenceState state, string description, CanaryContext c, CancellationToken ct)
    {
        var name = state.ToString().ToLowerInvariant();
        if (c.DryRun)
        {
            return $"would set status {name} on #{number}";
        }

        return await GitHub.SetStatusAsync(sha, state, description, null, ct)
            ? $"status {name} on #{number}"
            : $"nothing (#{number} status already {name})";
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
            logger.LogWarning("Chart for {Canary} unavailable: {Error}", proposal.Policy.Name, ex.Message);
            return null;
        }
    }

    private static void Print(TextWriter output, string headline, string diff, string body)
    {
        output.WriteLine($"=== {headline}");
        output.WriteLine(diff);
        output.WriteLine("--- body ---");
        output.WriteLine(body);
    }
}
