using PromotionBot.Git;
using PromotionBot.PullRequests;

namespace PromotionBot.GitHub;

/// <summary>
/// Carries out the cycle's actions for real: publishes the branch through the git workspace, then makes GitHub match
/// (open or adopt the PR, title/body, labels, the promotion-bot/analysis status, closing with a comment).
/// </summary>
public sealed class GitHubPullRequestClient(GitHubPullRequests gitHub, IGitWorkspace git) : IPullRequestClient
{
    public async Task<OpenPullRequests> ListOpenAsync(CancellationToken ct)
    {
        var (bot, unrecognised) = await gitHub.ListOpenAsync(ct);
        return new OpenPullRequests(bot, unrecognised.Select(pr => new UnrecognisedPullRequest(pr.Number, pr.Head.Ref)).ToList());
    }

    public Task<BotPullRequest?> FindDeclinedAsync(string branch, CancellationToken ct) => gitHub.FindDeclinedAsync(branch, ct);

    public async Task<string> OpenAsync(PullRequestDraft draft, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(draft);
        var proposal = draft.Proposal;
        var body = await draft.RenderBodyAsync(ct);
        var published = await git.PublishAsync(draft.Change, ct);
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

        var (pr, created) = await gitHub.CreateAsync(proposal.Branch, proposal.Title, body, ct);
        if (!created && (pr.Title != proposal.Title || pr.Body != body))
        {
            // Adopted an existing PR (lost response or a concurrent run): make it say what this cycle proposes.
            pr = await gitHub.UpdateAsync(pr.Number, proposal.Title, body, ct);
        }

        await gitHub.EnsureLabelsAsync(pr, proposal.Labels, ct);
        await gitHub.SetStatusAsync(published.HeadSha, EvidenceState.Success, EvidenceSummary.Describe(proposal), pr.HtmlUrl, ct);
        return created ? $"opened #{pr.Number}" : $"updated #{pr.Number}";
    }

    public async Task<string> RefreshAsync(BotPullRequest pr, PullRequestDraft draft, bool proposalChanged, bool needsText, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(pr);
        ArgumentNullException.ThrowIfNull(draft);
        var published = await git.PublishAsync(draft.Change, ct);
        if (published.Outcome == PublishOutcome.ForeignCommits)
        {
            // A person committed on the bot's branch: the PR is no longer what the bot verified (a rollback may not even
            // roll back any more). Their commit stays, but the PR says so (status on its head, one comment) and the
            // cycle fails loudly — never "left alone" in silence.
            await gitHub.SetStatusAsync(published.HeadSha, EvidenceState.Failure,
                "Someone else committed on this bot branch: the bot can no longer verify or update this pull request", pr.HtmlUrl, ct);
            await gitHub.CommentOnceAsync(pr.Number, PromotionCycle.ForeignCommitsMarker,
                $"**The bot cannot update this pull request:** its branch {GitHubText.Code(pr.HeadRef)} now holds a commit that is not the bot's " +
                $"({GitHubText.Text(published.Detail)}).\n\nThe bot now proposes: {GitHubText.Text(draft.Proposal.Title)}. " +
                "Review the branch by hand, or close this pull request and delete the branch so the bot can open a fresh one.", ct);
            throw new InvalidOperationException(
                $"{(pr.Marker.IsRollback ? "rollback" : "pull request")} #{pr.Number} blocked: branch {pr.HeadRef} holds commits by someone else ({published.Detail}); " +
                "status failure and a comment are on the pull request");
        }

        var result = new List<string>();
        if (needsText || published.Outcome == PublishOutcome.Pushed)
        {
            var body = await draft.RenderBodyAsync(ct);
            await gitHub.UpdateAsync(pr.Number, draft.Proposal.Title, body, ct);
            result.Add(proposalChanged ? $"updated #{pr.Number}"
                : published.Outcome == PublishOutcome.Pushed ? $"rebased #{pr.Number}" : $"refreshed #{pr.Number}");
        }

        await gitHub.EnsureLabelsAsync(pr, draft.Proposal.Labels, ct);
        if (await gitHub.SetStatusAsync(published.HeadSha, EvidenceState.Success, EvidenceSummary.Describe(draft.Proposal), pr.HtmlUrl, ct) && result.Count == 0)
        {
            result.Add($"status success on #{pr.Number}");
        }

        return result.Count == 0 ? $"nothing (#{pr.Number} up to date)" : string.Join(", ", result);
    }

    public bool KnowsHistory => true;

    public Task<BranchHistory> HistoryAsync(string branch, string headSha, CancellationToken ct) => gitHub.HistoryAsync(branch, headSha, ct);

    public async Task<string> DeleteOrphanBranchAsync(OrphanBranch orphan, string reason, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(orphan);
        return await git.DeleteBranchAsync(orphan.Branch, orphan.HeadSha, ct)
            ? $"deleted branch {orphan.Branch} ({orphan.Why})"
            : $"kept branch {orphan.Branch} (it moved or has foreign commits)";
    }

    public async Task<string> CloseAsync(BotPullRequest pr, string comment, CloseReason reason, bool deleteBranch, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(pr);
        // Idempotent: after a crash between comment and close, the retried close does not comment twice.
        await gitHub.CloseAsync(pr.Number, comment, GitHubPullRequests.ClosingMarker(reason, pr.HeadSha), ct);
        if (deleteBranch && !await git.DeleteBranchAsync(pr.HeadRef, ct))
        {
            return $"closed #{pr.Number} (kept branch {pr.HeadRef}: it has foreign commits)";
        }

        return $"closed #{pr.Number}";
    }

    public async Task<string> SetStatusAsync(BotPullRequest pr, EvidenceState state, string description, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(pr);
        var name = state.ToString().ToLowerInvariant();
        return await gitHub.SetStatusAsync(pr.HeadSha, state, description, null, ct)
            ? $"status {name} on #{pr.Number}"
            : $"nothing (#{pr.Number} status already {name})";
    }
}
