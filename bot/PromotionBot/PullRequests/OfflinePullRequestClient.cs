namespace PromotionBot.PullRequests;

/// <summary>
/// Stands in for GitHub when a dry run has no GitHub settings: no bot PR is open and none was declined. Only ever
/// used behind <see cref="PreviewPullRequestClient"/>; a write reaching it is a bug, so it fails loudly.
/// </summary>
public sealed class OfflinePullRequestClient : IPullRequestClient
{
    private const string NotConfigured = "GitHub is not configured; only a dry run can do without it.";

    public Task<OpenPullRequests> ListOpenAsync(CancellationToken ct) => Task.FromResult(OpenPullRequests.None);

    public Task<BotPullRequest?> FindDeclinedAsync(string branch, CancellationToken ct) => Task.FromResult<BotPullRequest?>(null);

    public Task<string> OpenAsync(PullRequestDraft draft, CancellationToken ct) => throw new InvalidOperationException(NotConfigured);

    public Task<string> RefreshAsync(BotPullRequest pr, PullRequestDraft draft, bool proposalChanged, bool needsText, CancellationToken ct) =>
        throw new InvalidOperationException(NotConfigured);

    public Task<string> CloseAsync(BotPullRequest pr, string comment, CloseReason reason, bool deleteBranch, CancellationToken ct) =>
        throw new InvalidOperationException(NotConfigured);

    public bool KnowsHistory => false;

    public Task<BranchHistory> HistoryAsync(string branch, string headSha, CancellationToken ct) => throw new InvalidOperationException(NotConfigured);

    public Task<string> DeleteOrphanBranchAsync(OrphanBranch orphan, string reason, CancellationToken ct) => throw new InvalidOperationException(NotConfigured);

    public Task<string> SetStatusAsync(BotPullRequest pr, EvidenceState state, string description, CancellationToken ct) =>
        throw new InvalidOperationException(NotConfigured);
}
