namespace PromotionBot.PullRequests;

/// <summary>What GitHub says about a branch's current head, for a branch with no open PR.</summary>
public enum BranchFate
{
    /// <summary>No PR was ever opened with this head.</summary>
    NoPullRequest,

    /// <summary>The bot closed the PR carrying this head (its closing marker is on the PR).</summary>
    ClosedByBot,

    /// <summary>A person closed it without merging; they may reopen it, so its branch stays.</summary>
    ClosedByPerson,

    Merged,
}

/// <param name="Number">The PR that carried the head, or null for <see cref="BranchFate.NoPullRequest"/>.</param>
public sealed record BranchHistory(BranchFate Fate, int? Number);
