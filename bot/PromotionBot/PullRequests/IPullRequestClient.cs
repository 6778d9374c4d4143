using PromotionBot.Git;

namespace PromotionBot.PullRequests;

/// <summary>
/// Where the cycle touches the pull requests: read what is open, and carry out one planned action. The GitHub
/// implementation publishes branches and writes to GitHub; <see cref="PreviewPullRequestClient"/> (a dry run) prints
/// what it would do instead. Each action returns what it did, as a phrase for the cycle summary ("opened #12").
/// </summary>
public interface IPullRequestClient
{
    /// <summary>The bot's open PRs, and PRs on promotion/ branches without a marker (left alone, reported).</summary>
    Task<OpenPullRequests> ListOpenAsync(CancellationToken ct);

    /// <summary>The newest bot PR on <paramref name="branch"/> that a person closed without merging, or null.</summary>
    Task<BotPullRequest?> FindDeclinedAsync(string branch, CancellationToken ct);

    Task<string> OpenAsync(PullRequestDraft draft, CancellationToken ct);

    /// <param name="needsText">Title/body must be rewritten (proposal, title or base changed) even if the branch is current.</param>
    Task<string> RefreshAsync(BotPullRequest pr, PullRequestDraft draft, bool proposalChanged, bool needsText, CancellationToken ct);

    /// <summary>Comments (once per reason and head, however often retried), closes, and deletes the branch.</summary>
    /// <param name="deleteBranch">False when the same plan reuses the branch for a new PR.</param>
    Task<string> CloseAsync(BotPullRequest pr, string comment, CloseReason reason, bool deleteBranch, CancellationToken ct);

    /// <summary>True when <see cref="HistoryAsync"/> can answer (GitHub is configured).</summary>
    bool KnowsHistory { get; }

    /// <summary>What became of the PRs on <paramref name="branch"/> while its head was <paramref name="headSha"/>.</summary>
    Task<BranchHistory> HistoryAsync(string branch, string headSha, CancellationToken ct);

    /// <summary>Deletes a branch the bot left without a PR, unless it moved away from the orphan's head.</summary>
    Task<string> DeleteOrphanBranchAsync(OrphanBranch orphan, string reason, CancellationToken ct);

    Task<string> SetStatusAsync(BotPullRequest pr, EvidenceState state, string description, CancellationToken ct);
}

/// <summary>A PR on a promotion/ branch that carries no bot marker: a person's, never touched.</summary>
public sealed record UnrecognisedPullRequest(int Number, string HeadRef);

public sealed record OpenPullRequests(IReadOnlyList<BotPullRequest> Bot, IReadOnlyList<UnrecognisedPullRequest> Unrecognised)
{
    public static OpenPullRequests None { get; } = new([], []);
}

/// <summary>What the cycle wants on GitHub for one proposal.</summary>
/// <param name="Diff">Unified diff of the change, for previews.</param>
/// <param name="RenderBodyAsync">Renders the PR body on demand (it queries Prometheus for the chart).</param>
public sealed record PullRequestDraft(
    PromotionProposal Proposal,
    ProposedChange Change,
    string Diff,
    Func<CancellationToken, Task<string>> RenderBodyAsync);
