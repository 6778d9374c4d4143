using PromotionBot.Analysis;

namespace PromotionBot.PullRequests;

/// <summary>
/// Decides, without I/O, what GitHub must look like after this cycle: from the analysis verdicts, the bot PRs that are
/// open right now and the bot branches left without an open PR to a list of actions per canary. "Evidence still holds"
/// means the open PR proposes exactly the weights the current decision would propose.
/// </summary>
public static class PromotionPlan
{
    /// <param name="orphans">Bot branches without an open PR (see <see cref="OrphanBranch"/>): each is reused by this
    /// cycle's proposal for its canary, kept while the canary cannot be judged, or deleted.</param>
    public static IReadOnlyList<CanaryPlan> Compute(AnalysisRun run, IReadOnlyList<BotPullRequest> openPullRequests,
        IReadOnlyList<OrphanBranch>? orphans = null)
    {
        var byCanary = openPullRequests
            .GroupBy(pr => pr.Marker.Key)
            .ToDictionary(g => g.Key, g => g.OrderBy(pr => pr.Number).ToList());
        // An open PR on the branch makes it no orphan, whatever the caller passed.
        var orphanByKey = (orphans ?? [])
            .Where(o => !byCanary.ContainsKey(o.Key))
            .GroupBy(o => o.Key)
            .ToDictionary(g => g.Key, g => g.First());
        var somePolicyUnreadable = run.Canaries.Any(c => c.Policy is null);
        var plans = new List<CanaryPlan>();
        var seen = new HashSet<string>();

        foreach (var evaluation in run.Canaries)
        {
            if (evaluation.Policy is null)
            {
                plans.Add(new CanaryPlan(evaluation.Name, evaluation.Name, evaluation, [], $"error: {evaluation.Error}"));
                continue;
            }

            var key = PromotionProposal.KeyFor(evaluation.Policy);
            seen.Add(key);
            var prs = byCanary.GetValueOrDefault(key) ?? [];
            var actions = new List<PlanAction>();

            // Duplicates can only come from outside the bot (or an old bug); the oldest PR is the one reviewers know.
            foreach (var duplicate in prs.Skip(1))
            {
                actions.Add(new ClosePullRequest(duplicate,
                    $"Closing: #{prs[0].Number} already proposes a change for {GitHubText.Code(key)}; the bot keeps at most one open pull request per canary.",
                    CloseReason.Duplicate));
            }

            var reason = PlanOne(evaluation, prs.FirstOrDefault(), actions);
            if (orphanByKey.GetValueOrDefault(key) is { } orphan)
            {
                reason = ReconcileOrphan(evaluation, orphan, actions, reason);
            }

            plans.Add(new CanaryPlan(key, evaluation.Policy.Name, evaluation, actions, reason));
        }

        // A PR or branch whose canary vanished from the repo is stale, unless some policy failed to parse (it may be that one).
        if (!somePolicyUnreadable)
        {
            foreach (var (key, prs) in byCanary.Where(kv => !seen.Contains(kv.Key)))
            {
                var actions = prs.Select(pr => (PlanAction)new ClosePullRequest(pr,
                    $"Closing: the repository no longer has a promotion policy for {GitHubText.Code(key)}, so this change has no canary to act on.",
                    CloseReason.NoPolicy)).ToList();
                plans.Add(new CanaryPlan(key, prs[0].Marker.Canary, null, actions, "no promotion policy any more"));
            }

            foreach (var (key, orphan) in orphanByKey.Where(kv => !seen.Contains(kv.Key)))
            {
                plans.Add(new CanaryPlan(key, key[(key.IndexOf('/', StringComparison.Ordinal) + 1)..], null,
                    [new DeleteOrphanBranch(orphan, $"no promotion policy for `{key}` any more; {orphan.Why}")],
                    "no promotion policy any more"));
            }
        }

        return plans;
    }

    /// <summary>
    /// A bot branch without an open PR is reused when this cycle opens a PR for its canary (publishing moves it to the
    /// current proposal), kept while the canary cannot be judged (the next judgeable cycle decides), and deleted otherwise.
    /// </summary>
    private static string ReconcileOrphan(CanaryEvaluation evaluation, OrphanBranch orphan, List<PlanAction> actions, string reason)
    {
        if (actions.Any(a => a is OpenPullRequest open && open.Proposal.Branch == orphan.Branch))
        {
            return $"{reason} (reusing branch {orphan.Branch}: {orphan.Why})";
        }

        if (evaluation.Decision is not { } decision
            || (decision.Kind == DecisionKind.Hold && decision.HoldReason is HoldReason.MetricsUnavailable or HoldReason.MetricsStale))
        {
            return $"{reason}; kept branch {orphan.Branch} without a pull request until the canary can be judged";
        }

        actions.Add(new DeleteOrphanBranch(orphan, $"{orphan.Why}, and this cycle proposes nothing on it"));
        return reason;
    }

    private static string PlanOne(CanaryEvaluation evaluation, BotPullRequest? pr, List<PlanAction> actions)
    {
        var policy = evaluation.Policy!;
        var decision = evaluation.Decision;
        if (decision is null)
        {
            if (pr is not null)
            {
                actions.Add(new SetEvidenceStatus(pr, EvidenceState.Error, $"Canary cannot be judged: {evaluation.Error}"));
            }

            return $"error: {evaluation.Error}";
        }

        var summary = Reasons(decision);
        if (decision.Kind == DecisionKind.Hold || decision.Next is null)
        {
            if (pr is null)
            {
                return $"hold ({HoldText(decision.HoldReason)}): {summary}";
            }

            if (PullRequestMarker.SameWeights(pr.Marker.WeightMap, decision.Current))
            {
                actions.Add(new ClosePullRequest(pr,
                    $"Closing: the base branch already routes {PullRequestMarker.FormatWeights(pr.Marker.Weights)}, which is what this pull request proposed.",
                    CloseReason.Applied));
                return "proposal already applied in the base branch";
            }

            if (pr.Marker.IsRollback)
            {
                // Reverting to the stable version is always safe: never block it on a metrics blip.
                actions.Add(new SetEvidenceStatus(pr, EvidenceState.Success,
                    $"Rollback stays safe to merge; canary now holds ({HoldText(decision.HoldReason)})"));
                return $"hold ({HoldText(decision.HoldReason)}); rollback #{pr.Number} stays open";
            }

            actions.Add(new SetEvidenceStatus(pr, EvidenceState.Pending, $"Evidence incomplete: {HoldText(decision.HoldReason)}. {summary}"));
            return $"hold ({HoldText(decision.HoldReason)}): {summary}";
        }

        var proposal = new PromotionProposal(evaluation, policy, decision);
        if (pr is null)
        {
            actions.Add(new OpenPullRequest(proposal));
            return summary;
        }

        var sameWeights = PullRequestMarker.SameWeights(pr.Marker.WeightMap, decision.Next);
        if (pr.Marker.IsRollback && !proposal.IsRollback)
        {
            // The canary looks healthy again, but a human asked nobody to undo a revert: leave the rollback to them.
            actions.Add(new SetEvidenceStatus(pr, EvidenceState.Success,
                $"Rollback stays safe to merge; canary would now {decision.Kind.ToString().ToLowerInvariant()}"));
            return $"{decision.Kind.ToString().ToLowerInvariant()} withheld: rollback #{pr.Number} is open ({summary})";
        }

        if (!pr.Marker.IsRollback && proposal.IsRollback)
        {
            actions.Add(new SetEvidenceStatus(pr, EvidenceState.Failure, $"Evidence no longer holds: {summary}"));
            actions.Add(new ClosePullRequest(pr,
                $"Closing: superseded by a rollback. {GitHubText.Text(proposal.Policy.Canary)} is failing its checks, so advancing to " +
                $"{PullRequestMarker.FormatWeights(pr.Marker.Weights)} is no longer safe.\n\n{Bullets(decision)}",
                CloseReason.Superseded));
            actions.Add(new OpenPullRequest(proposal));
            return summary;
        }

        actions.Add(new RefreshPullRequest(pr, proposal, ProposalChanged: !sameWeights || pr.Marker.Decision != decision.Kind));
        return summary;
    }

    private static string Reasons(Decision decision) =>
        decision.Reasons.Count == 0 ? decision.Kind.ToString().ToLowerInvariant() : string.Join("; ", decision.Reasons);

    private static string Bullets(Decision decision) => string.Join('\n', decision.Reasons.Select(r => $"- {GitHubText.Text(r)}"));

    public static string HoldText(HoldReason reason) => reason switch
    {
        HoldReason.NoTraffic => "no canary traffic",
        HoldReason.TooLittleTraffic => "too little canary traffic",
        HoldReason.MetricsStale => "metrics are stale",
        HoldReason.MetricsUnavailable => "Prometheus unavailable",
        HoldReason.BreachNotPersistent => "breach not persistent yet",
        HoldReason.AlreadyPromoted => "already promoted",
        HoldReason.RolledBack => "rolled back",
        HoldReason.CanaryStarting => "canary just appeared",
        HoldReason.ComparisonInconclusive => "v2 not yet shown to be no worse than v1",
        HoldReason.NotLive => "step not live",
        _ => "holding",
    };
}
