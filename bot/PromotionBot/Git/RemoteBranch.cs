namespace PromotionBot.Git;

/// <summary>Who wrote what a remote branch holds beyond the base branch.</summary>
public enum BranchAuthorship
{
    /// <summary>At least one commit beyond the base, every one of them by the bot.</summary>
    BotOnly,

    /// <summary>Someone else committed (or merged) on it, or it shares no history with the base.</summary>
    Foreign,

    /// <summary>Its head is already part of the base branch (merged with a merge commit or fast-forward).</summary>
    InBase,
}

/// <summary>A branch on the remote as the last fetch saw it.</summary>
/// <param name="HeadTrailers">Git trailers of the head commit (e.g. Promotion-Canary), empty when it has none.</param>
/// <param name="Detail">Why the branch is <see cref="BranchAuthorship.Foreign"/>; empty otherwise.</param>
public sealed record RemoteBranch(
    string Name,
    string HeadSha,
    BranchAuthorship Authorship,
    IReadOnlyDictionary<string, string> HeadTrailers,
    string Detail);
