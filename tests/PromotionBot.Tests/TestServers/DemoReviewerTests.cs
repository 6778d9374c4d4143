using PromotionBot.Tests.PullRequests;
using Xunit;

namespace PromotionBot.Tests.TestServers;

/// <summary>The demo's reviewer against the GitHub test server: merges what opens, survives what it cannot merge.</summary>
public sealed class DemoReviewerTests
{
    private const string ReviewerToken = "ghp_reviewer_0123456789";
    private static readonly TimeSpan Delay = TimeSpan.FromMilliseconds(300);
    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(50);

    private static Dictionary<string, string> Weights(int v1, int v2) => new() { [GitOpsSandbox.VsPath("ecommerce")] = GitOpsSandbox.VirtualService("ecommerce", v1, v2) };

    /// <summary>A commit on a new branch off main's tip, as a person or the bot would branch.</summary>
    private static string BranchOffMain(GitOpsSandbox sandbox, string branch, string message, IReadOnlyDictionary<string, string> files)
    {
        using (var repo = new LibGit2Sharp.Repository(sandbox.Remote))
        {
            repo.Refs.Add($"refs/heads/{branch}", repo.Branches["main"].Tip.Id);
        }

        return sandbox.Commit(branch, message, files);
    }

    private static async Task Until(Func<bool> condition)
    {
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        while (!condition())
        {
            await Task.Delay(Poll, deadline.Token);
        }
    }

    [Fact]
    public async Task Merges_a_pr_delay_after_it_opened_into_main_and_says_so()
    {
        await using var sandbox = await GitOpsSandbox.CreateAsync(("ecommerce", 80, 20));
        sandbox.GitHub.AcceptToken(ReviewerToken, "a-reviewer");
        var head = BranchOffMain(sandbox, "promotion/ecommerce/product-catalog", "shift", Weights(50, 50));
        var merged = new TaskCompletionSource<ReviewedPull>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var reviewer = DemoReviewer.Start(sandbox.GitHub.ApiUrl, ReviewerToken, GitOpsSandbox.Owner, GitOpsSandbox.Repo, Delay, Poll);
        reviewer.PullMerged += p => merged.TrySetResult(p);

        var number = sandbox.GitHub.CreatePullRequestDirectly("promotion/ecommerce/product-catalog", "main", "product-catalog: shift v2 20% → 50%", "the evidence");
        var pull = await merged.Task.WaitAsync(TimeSpan.FromSeconds(20));

        Assert.Equal(number, pull.Number);
        Assert.Equal("the evidence", pull.Body);
        Assert.Equal("promotion/ecommerce/product-catalog", pull.HeadRef);
        Assert.True(pull.MergedAt >= pull.OpenedAt + Delay, $"{pull.OpenedAt:O} -> {pull.MergedAt:O}");
        Assert.Equal(pull.MergeSha, sandbox.Head("main"));
        Assert.Contains("weight: 50", sandbox.FileAt("main", GitOpsSandbox.VsPath("ecommerce")), StringComparison.Ordinal);
        var pr = Assert.Single(sandbox.GitHub.PullRequests);
        Assert.Equal("a-reviewer", (string?)pr["merged_by"]!["login"]);
        Assert.Equal(head, (string?)pr["head"]!["sha"]);
        Assert.Equal([pull], reviewer.Merged);
    }

    [Fact]
    public async Task A_pr_it_cannot_merge_is_logged_and_retried_while_others_merge()
    {
        await using var sandbox = await GitOpsSandbox.CreateAsync(("ecommerce", 80, 20));
        sandbox.GitHub.AcceptToken(ReviewerToken, "a-reviewer");
        BranchOffMain(sandbox, "promotion/conflicting", "shift", Weights(50, 50));
        sandbox.Commit("main", "Promote by hand", Weights(0, 100));
        BranchOffMain(sandbox, "docs/notes", "notes", new Dictionary<string, string> { ["docs/notes.md"] = "notes\n" });
        var conflicting = sandbox.GitHub.CreatePullRequestDirectly("promotion/conflicting", "main", "conflicts", "");
        var log = new List<string>();
        var merged = new TaskCompletionSource<ReviewedPull>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var reviewer = DemoReviewer.Start(sandbox.GitHub.ApiUrl, ReviewerToken, GitOpsSandbox.Owner, GitOpsSandbox.Repo, TimeSpan.Zero, Poll,
            line => { lock (log) { log.Add(line); } });
        reviewer.PullMerged += p => merged.TrySetResult(p);
        // A handler that throws must not stop the reviewer.
        reviewer.PullMerged += _ => throw new InvalidOperationException("boom");

        var clean = sandbox.GitHub.CreatePullRequestDirectly("docs/notes", "main", "notes", "");
        var pull = await merged.Task.WaitAsync(TimeSpan.FromSeconds(20));
        // Refused once, it is tried again later.
        await Until(() => sandbox.GitHub.Requests.Count(r => r.Method == "PUT" && r.Path.Contains($"/pulls/{conflicting}/merge", StringComparison.Ordinal)) >= 2);

        Assert.Equal(clean, pull.Number);
        Assert.Contains(reviewer.Problems, p => p.StartsWith($"merge of #{conflicting} refused (405 Pull Request is not mergeable)", StringComparison.Ordinal));
        Assert.Contains(reviewer.Problems, p => p.Contains("PullMerged handler failed", StringComparison.Ordinal));
        lock (log)
        {
            Assert.Contains(log, l => l.Contains($"merged #{clean}", StringComparison.Ordinal));
        }

        Assert.Equal("open", (string?)sandbox.GitHub.PullRequests.Single(p => (int)p["number"]! == conflicting)["state"]);
        Assert.Equal("notes\n", sandbox.FileAt("main", "docs/notes.md"));
    }
}
