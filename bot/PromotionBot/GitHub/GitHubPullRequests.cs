using Octokit;
using PromotionBot.PullRequests;

namespace PromotionBot.GitHub;

/// <summary>
/// The bot's GitHub vocabulary over Octokit: find its open PRs (by head branch and hidden marker, never from local
/// memory), open/update/close them, label, comment, and set the promotion-bot/analysis commit status.
/// Every call goes through <see cref="GitHubRetry"/>.
/// </summary>
public sealed class GitHubPullRequests(GitHubRetry retry, string baseBranch)
{
    public const string StatusContext = "promotion-bot/analysis";

    /// <summary>
    /// Start of the hidden marker that ends every comment the bot closes a PR with: tells the bot's closes from a
    /// person's. The full marker (<see cref="ClosingMarker"/>) also names the reason and the PR head.
    /// </summary>
    public const string ClosedByBotMarker = "<!-- promotion-bot: closed";

    private string Owner => retry.Connection.Owner;

    private string Repo => retry.Connection.Repository;

    /// <summary>Open PRs against the base branch whose head is a promotion/ branch of this repository and whose body carries a marker.</summary>
    /// <returns>The bot's PRs, and PRs on promotion/ branches without a marker (left alone, reported).</returns>
    public async Task<(IReadOnlyList<BotPullRequest> Bot, IReadOnlyList<PullRequest> Unrecognised)> ListOpenAsync(CancellationToken ct)
    {
        var all = await retry.RunAsync("list pull requests", c => c.PullRequest.GetAllForRepository(Owner, Repo,
            new PullRequestRequest { State = ItemStateFilter.Open, Base = baseBranch }), ct);
        var bot = new List<BotPullRequest>();
        var unrecognised = new List<PullRequest>();
        foreach (var pr in all.Where(p => p.Head?.Ref?.StartsWith(PromotionProposal.BranchPrefix, StringComparison.Ordinal) == true
                                          && string.Equals(p.Head.Label, $"{Owner}:{p.Head.Ref}", StringComparison.OrdinalIgnoreCase)))
        {
            var marker = PullRequestMarker.TryParse(pr.Body);
            if (marker is not null && pr.Head.Ref == $"{PromotionProposal.BranchPrefix}{marker.Key}")
            {
                bot.Add(ToBot(pr, marker));
            }
            else
            {
                unrecognised.Add(pr);
            }
        }

        return (bot, unrecognised);
    }

    /// <summary>
    /// Opens the PR. If GitHub answers 422 "already exists" (an earlier attempt's response was lost, or a concurrent
    /// run), the existing PR is adopted instead of failing — the caller then updates it like any other.
    /// </summary>
    public async Task<(BotPullRequest PullRequest, bool Created)> CreateAsync(string branch, string title, string body, CancellationToken ct)
    {
        try
        {
            var pr = await retry.RunAsync("create pull request", c => c.PullRequest.Create(Owner, Repo, new NewPullRequest(title, branch, baseBranch) { Body = body }), ct);
            return (ToBot(pr, PullRequestMarker.TryParse(pr.Body)!), true);
        }
        catch (ApiValidationException ex) when (ex.ApiError?.Errors?.Any(e => e.Message?.Contains("already exists", StringComparison.OrdinalIgnoreCase) == true) == true)
        {
            var existing = await retry.RunAsync("find existing pull request", c => c.PullRequest.GetAllForRepository(Owner, Repo,
                new PullRequestRequest { State = ItemStateFilter.Open, Head = $"{Owner}:{branch}", Base = baseBranch }), ct);
            var pr = existing.OrderBy(p => p.Number).First();
            return (ToBot(pr, PullRequestMarker.TryParse(pr.Body) ?? PullRequestMarker.TryParse(body)!), false);
        }
    }

    /// <summary>
    /// The newest bot PR on <paramref name="branch"/> that a person closed without merging, or null. A person's "no"
    /// stands: the bot does not reopen the same proposal every cycle.
    /// </summary>
    public async Task<BotPullRequest?> FindDeclinedAsync(string branch, CancellationToken ct)
    {
        var closed = await retry.RunAsync("list closed pull requests", c => c.PullRequest.GetAllForRepository(Owner, Repo,
            new PullRequestRequest { State = ItemStateFilter.Closed, Head = $"{Owner}:{branch}", Base = baseBranch, SortProperty = PullRequestSort.Created, SortDirection = SortDirection.Descending },
            new ApiOptions { PageSize = 10, PageCount = 1 }), ct);
        var newest = closed.OrderByDescending(p => p.Number).FirstOrDefault(p => PullRequestMarker.TryParse(p.Body) is not null);
        if (newest is null || newest.Merged || newest.MergedAt is not null)
        {
            return null;
        }

        var comments = await retry.RunAsync($"comments of #{newest.Number}", c => c.Issue.Comment.GetAllForIssue(Owner, Repo, newest.Number), ct);
        return comments.Any(c => c.Body?.Contains(ClosedByBotMarker, StringComparison.Ordinal) == true)
            ? null
            : ToBot(newest, PullRequestMarker.TryParse(newest.Body)!);
    }

    public async Task<BotPullRequest> UpdateAsync(int number, string title, string body, CancellationToken ct)
    {
        var pr = await retry.RunAsync($"update #{number}", c => c.PullRequest.Update(Owner, Repo, number, new PullRequestUpdate { Title = title, Body = body }), ct);
        return ToBot(pr, PullRequestMarker.TryParse(pr.Body)!);
    }

    public async Task<BotPullRequest?> GetAsync(int number, CancellationToken ct)
    {
        var pr = await retry.RunAsync($"get #{number}", c => c.PullRequest.Get(Owner, Repo, number), ct);
        return PullRequestMarker.TryParse(pr.Body) is { } marker ? ToBot(pr, marker) : null;
    }

    /// <summary>The hidden marker of one close: the same reason on the same head is the same close, however often it is retried.</summary>
    public static string ClosingMarker(CloseReason reason, string headSha) =>
        $"{ClosedByBotMarker} reason={reason.ToString().ToLowerInvariant()} head={headSha} -->";

    /// <summary>
    /// Explains first, then closes: a reader of the closed PR always finds why. The comment is posted only when the PR
    /// does not carry one with the same <paramref name="marker"/> yet (a crash after commenting must not repeat it).
    /// </summary>
    /// <returns>True when this call posted the comment.</returns>
    public async Task<bool> CloseAsync(int number, string comment, string marker, CancellationToken ct)
    {
        // Look and post in one retried step: a post whose response was lost is found on the next attempt, not repeated.
        var commented = await retry.RunAsync($"comment on #{number}", async c =>
        {
            var comments = await c.Issue.Comment.GetAllForIssue(Owner, Repo, number);
            if (comments.Any(x => x.Body?.Contains(marker, StringComparison.Ordinal) == true))
            {
                return false;
            }

            await c.Issue.Comment.Create(Owner, Repo, number, $"{comment}\n\n{marker}");
            return true;
        }, ct);

        await retry.RunAsync($"close #{number}", c => c.PullRequest.Update(Owner, Repo, number, new PullRequestUpdate { State = ItemState.Closed }), ct);
        return commented;
    }

    /// <summary>
    /// What became of the PRs on <paramref name="branch"/> while its head was <paramref name="headSha"/>: the newest
    /// closed PR whose head is that commit tells merged, closed by the bot (its closing marker) or closed by a person;
    /// no such PR means none was ever opened for this commit (a crash between push and create, or a push after a close).
    /// </summary>
    public async Task<BranchHistory> HistoryAsync(string branch, string headSha, CancellationToken ct)
    {
        var closed = await retry.RunAsync($"closed pull requests of {branch}", c => c.PullRequest.GetAllForRepository(Owner, Repo,
            new PullRequestRequest { State = ItemStateFilter.Closed, Head = $"{Owner}:{branch}", Base = baseBranch, SortProperty = PullRequestSort.Created, SortDirection = SortDirection.Descending },
            new ApiOptions { PageSize = 30, PageCount = 1 }), ct);
        var carrier = closed.Where(p => p.Head?.Sha == headSha).OrderByDescending(p => p.Number).FirstOrDefault();
        if (carrier is null)
        {
            return new BranchHistory(BranchFate.NoPullRequest, null);
        }

        if (carrier.Merged || carrier.MergedAt is not null)
        {
            return new BranchHistory(BranchFate.Merged, carrier.Number);
        }

        var comments = await retry.RunAsync($"comments of #{carrier.Number}", c => c.Issue.Comment.GetAllForIssue(Owner, Repo, carrier.Number), ct);
        return comments.Any(c => c.Body?.Contains(ClosedByBotMarker, StringComparison.Ordinal) == true)
            ? new BranchHistory(BranchFate.ClosedByBot, carrier.Number)
            : new BranchHistory(BranchFate.ClosedByPerson, carrier.Number);
    }

    /// <summary>Comments unless a comment carrying <paramref name="marker"/> is already there; true when it commented.</summary>
    public async Task<bool> CommentOnceAsync(int number, string marker, string comment, CancellationToken ct)
    {
        var comments = await retry.RunAsync($"comments of #{number}", c => c.Issue.Comment.GetAllForIssue(Owner, Repo, number), ct);
        if (comments.Any(c => c.Body?.Contains(marker, StringComparison.Ordinal) == true))
        {
            return false;
        }

        await CommentAsync(number, $"{comment}\n\n{marker}", ct);
        return true;
    }

    public async Task CommentAsync(int number, string comment, CancellationToken ct) =>
        await retry.RunAsync($"comment on #{number}", c => c.Issue.Comment.Create(Owner, Repo, number, comment), ct);

    /// <summary>Adds the missing labels (GitHub creates unknown labels on the fly).</summary>
    public async Task EnsureLabelsAsync(BotPullRequest pr, IReadOnlyList<string> labels, CancellationToken ct)
    {
        var missing = labels.Where(l => !pr.Labels.Contains(l, StringComparer.OrdinalIgnoreCase)).ToArray();
        if (missing.Length > 0)
        {
            await retry.RunAsync($"label #{pr.Number}", c => c.Issue.Labels.AddToIssue(Owner, Repo, pr.Number, missing), ct);
        }
    }

    /// <summary>Sets the analysis status on <paramref name="sha"/> unless the latest one already says the same.</summary>
    /// <returns>True when a status was written.</returns>
    public async Task<bool> SetStatusAsync(string sha, EvidenceState state, string description, string? targetUrl, CancellationToken ct)
    {
        description = Truncate(description, 140);
        var combined = await retry.RunAsync($"read status of {sha[..Math.Min(7, sha.Length)]}", c => c.Repository.Status.GetCombined(Owner, Repo, sha), ct);
        var current = combined.Statuses.FirstOrDefault(s => s.Context == StatusContext);
        var wanted = ToCommitState(state);
        if (current is not null && current.State.Value == wanted && current.Description == description)
        {
            return false;
        }

        await retry.RunAsync($"set status on {sha[..Math.Min(7, sha.Length)]}", c => c.Repository.Status.Create(Owner, Repo, sha,
            new NewCommitStatus { State = wanted, Context = StatusContext, Description = description, TargetUrl = targetUrl }), ct);
        return true;
    }

    public static string Truncate(string text, int max)
    {
        text = text.ReplaceLineEndings(" ");
        return text.Length <= max ? text : text[..(max - 1)] + "…";
    }

    private static CommitState ToCommitState(EvidenceState state) => state switch
    {
        EvidenceState.Success => CommitState.Success,
        EvidenceState.Failure => CommitState.Failure,
        EvidenceState.Error => CommitState.Error,
        _ => CommitState.Pending,
    };

    private static BotPullRequest ToBot(PullRequest pr, PullRequestMarker marker) => new(
        pr.Number,
        pr.Title,
        pr.Body ?? "",
        pr.Head.Ref,
        pr.Head.Sha,
        pr.HtmlUrl,
        pr.Labels?.Select(l => l.Name).ToList() ?? [],
        marker);
}
