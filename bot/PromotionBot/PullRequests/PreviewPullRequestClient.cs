namespace PromotionBot.PullRequests;

/// <summary>
/// The dry run: reads through <paramref name="inner"/> (GitHub, or nothing when GitHub is not configured) and prints every
/// write — the diff and body of a PR it would open or update, the comment it would close with — instead of doing it.
/// No branch is pushed and nothing is written to GitHub.
/// </summary>
public sealed class PreviewPullRequestClient(IPullRequestClient inner, TextWriter output) : IPullRequestClient
{
    public Task<OpenPullRequests> ListOpenAsync(CancellationToken ct) => inner.ListOpenAsync(ct);

    public Task<BotPullRequest?> FindDeclinedAsync(string branch, CancellationToken ct) => inner.FindDeclinedAsync(branch, ct);

    public async Task<string> OpenAsync(PullRequestDraft draft, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(draft);
        var proposal = draft.Proposal;
        var body = await draft.RenderBodyAsync(ct);
        await PrintAsync($"would open: \"{proposal.Title}\" ({proposal.Branch} → base, labels {string.Join(", ", proposal.Labels)})", draft.Diff, body);
        return "would open PR";
    }

    public async Task<string> RefreshAsync(BotPullRequest pr, PullRequestDraft draft, bool proposalChanged, bool needsText, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(pr);
        ArgumentNullException.ThrowIfNull(draft);
        if (!needsText)
        {
            return $"would keep #{pr.Number} (status success)";
        }

        var body = await draft.RenderBodyAsync(ct);
        await PrintAsync($"would update #{pr.Number}: \"{draft.Proposal.Title}\"", draft.Diff, body);
        return $"would update #{pr.Number}";
    }

    public bool KnowsHistory => inner.KnowsHistory;

    public Task<BranchHistory> HistoryAsync(string branch, string headSha, CancellationToken ct) => inner.HistoryAsync(branch, headSha, ct);

    public async Task<string> DeleteOrphanBranchAsync(OrphanBranch orphan, string reason, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(orphan);
        await output.WriteLineAsync($"=== would delete branch {orphan.Branch} ({reason})");
        await output.WriteLineAsync();
        return $"would delete branch {orphan.Branch}";
    }

    public async Task<string> CloseAsync(BotPullRequest pr, string comment, CloseReason reason, bool deleteBranch, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(pr);
        await output.WriteLineAsync($"=== would close #{pr.Number} \"{pr.Title}\" with comment:");
        await output.WriteLineAsync(comment);
        await output.WriteLineAsync();
        return $"would close #{pr.Number}";
    }

    public Task<string> SetStatusAsync(BotPullRequest pr, EvidenceState state, string description, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(pr);
        return Task.FromResult($"would set status {state.ToString().ToLowerInvariant()} on #{pr.Number}");
    }

    private async Task PrintAsync(string headline, string diff, string body)
    {
        await output.WriteLineAsync($"=== {headline}");
        await output.WriteLineAsync(diff);
        await output.WriteLineAsync("--- body ---");
        await output.WriteLineAsync(body);
    }
}
