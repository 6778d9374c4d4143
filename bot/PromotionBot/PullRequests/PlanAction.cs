namespace PromotionBot.PullRequests;

/// <summary>Commit status states the bot sets on its PR head (context promotion-bot/analysis).</summary>
public enum EvidenceState
{
    Pending,
    Success,
    Failure,
    Error,
}

/// <summary>One step the cycle must take on GitHub; produced by <see cref="PromotionPlan"/> without any I/O.</summary>
public abstract record PlanAction;

/// <summary>Publish the branch and open a PR for the proposal.</summary>
public sealed record OpenPullRequest(PromotionProposal Proposal) : PlanAction;

/// <summary>
/// Keep the open PR: re-publish its branch (rebases when the base moved), rewrite title/body when the proposal changed
/// or the branch was rebuilt, and mark the evidence as holding.
/// </summary>
public sealed record RefreshPullRequest(BotPullRequest PullRequest, PromotionProposal Proposal, bool ProposalChanged) : PlanAction;

/// <summary>Why the bot closes a PR; part of the closing comment's hidden marker, so a repeated close never repeats the comment.</summary>
public enum CloseReason
{
    /// <summary>Another open bot PR already proposes a change for the same canary.</summary>
    Duplicate,

    /// <summary>The base branch already routes the proposed weights.</summary>
    Applied,

    /// <summary>An advance or promotion replaced by a rollback.</summary>
    Superseded,

    /// <summary>The canary's promotion policy is gone from the repository.</summary>
    NoPolicy,
}

/// <summary>Comment on the PR (once: the comment carries a hidden marker of reason and head), then close it (and delete its branch).</summary>
public sealed record ClosePullRequest(BotPullRequest PullRequest, string Comment, CloseReason Reason) : PlanAction;

/// <summary>
/// Delete a branch the bot left without an open PR (a crash between closing a PR and deleting its branch, or between
/// pushing and opening) that no proposal of this cycle reuses.
/// </summary>
public sealed record DeleteOrphanBranch(OrphanBranch Orphan, string Reason) : PlanAction;

/// <summary>Set the promotion-bot/analysis status on the PR's head without touching the branch.</summary>
public sealed record SetEvidenceStatus(BotPullRequest PullRequest, EvidenceState State, string Description) : PlanAction;

/// <summary>The plan for one canary: its actions in order (possibly none) and why.</summary>
/// <param name="Key">namespace/name, or the evaluation name when the policy could not be read.</param>
public sealed record CanaryPlan(string Key, string Name, Analysis.CanaryEvaluation? Evaluation, IReadOnlyList<PlanAction> Actions, string Reason);
