using LibGit2Sharp;
using Commit = LibGit2Sharp.Commit;
using Credentials = Octokit.Credentials;
using Octokit;
using PromotionBot.Tests.PullRequests;
using Xunit;

namespace PromotionBot.Tests.TestServers;

/// <summary>PUT pulls/{n}/merge through Octokit: real merges into the bare repository, GitHub's refusals.</summary>
public sealed class MergeEndpointTests : IAsyncLifetime
{
    private const string Feature = "feature/weights";
    private GitOpsSandbox _sandbox = null!;
    private GitHubClient _octokit = null!;

    public async Task InitializeAsync()
    {
        _sandbox = await GitOpsSandbox.CreateAsync(("ecommerce", 80, 20));
        _octokit = new GitHubClient(new Octokit.ProductHeaderValue("merge-tests"), _sandbox.GitHub.ApiUrl)
        {
            Credentials = new Credentials(GitOpsSandbox.Token),
        };
    }

    public async Task DisposeAsync() => await _sandbox.DisposeAsync();

    private static Dictionary<string, string> Weights(int v1, int v2) => new() { [GitOpsSandbox.VsPath("ecommerce")] = GitOpsSandbox.VirtualService("ecommerce", v1, v2) };

    /// <summary>A branch off main's tip with one commit, and its PR.</summary>
    private (int Number, string Head, string Base) OpenPull(IReadOnlyDictionary<string, string>? files = null)
    {
        var baseSha = _sandbox.Head("main")!;
        _sandbox.Commit(Feature, "placeholder", new Dictionary<string, string>());
        using (var repo = new LibGit2Sharp.Repository(_sandbox.Remote))
        {
            repo.Refs.UpdateTarget(repo.Refs[$"refs/heads/{Feature}"], new ObjectId(baseSha));
        }

        var head = _sandbox.Commit(Feature, "product-catalog: shift v2 20% → 50%", files ?? Weights(50, 50));
        return (_sandbox.GitHub.CreatePullRequestDirectly(Feature, "main", "product-catalog: shift v2 20% → 50%", "body"), head, baseSha);
    }

    private (string Message, string Committer) CommitAt(string sha)
    {
        using var repo = new LibGit2Sharp.Repository(_sandbox.Remote);
        var commit = repo.Lookup<Commit>(sha);
        return (commit.Message, commit.Committer.Name);
    }

    private IReadOnlyList<string> ParentsOf(string sha)
    {
        using var repo = new LibGit2Sharp.Repository(_sandbox.Remote);
        return repo.Lookup<Commit>(sha).Parents.Select(p => p.Sha).ToList();
    }

    [Fact]
    public async Task A_head_on_the_base_tip_merges_as_a_merge_commit_with_the_heads_tree()
    {
        var (number, head, baseSha) = OpenPull();

        var result = await _octokit.PullRequest.Merge(GitOpsSandbox.Owner, GitOpsSandbox.Repo, number, new MergePullRequest { Sha = head });

        Assert.True(result.Merged);
        Assert.Equal(result.Sha, _sandbox.Head("main"));
        Assert.Equal([baseSha, head], ParentsOf(result.Sha));
        Assert.Equal(_sandbox.FileAt(Feature, GitOpsSandbox.VsPath("ecommerce")), _sandbox.FileAt("main", GitOpsSandbox.VsPath("ecommerce")));
        var pr = await _octokit.PullRequest.Get(GitOpsSandbox.Owner, GitOpsSandbox.Repo, number);
        Assert.True(pr.Merged);
        Assert.Equal(ItemState.Closed, pr.State.Value);
        Assert.Equal(result.Sha, pr.MergeCommitSha);
        Assert.Equal("promotion-bot[bot]", pr.MergedBy.Login);
        Assert.NotNull(pr.MergedAt);
        Assert.True(await _octokit.PullRequest.Merged(GitOpsSandbox.Owner, GitOpsSandbox.Repo, number));
    }

    [Fact]
    public async Task A_base_that_moved_on_gets_a_real_merge_of_both_changes()
    {
        var (number, head, _) = OpenPull();
        var moved = _sandbox.Commit("main", "Docs", new Dictionary<string, string> { ["docs/notes.md"] = "notes\n" });

        var pr = await _octokit.PullRequest.Get(GitOpsSandbox.Owner, GitOpsSandbox.Repo, number);
        var result = await _octokit.PullRequest.Merge(GitOpsSandbox.Owner, GitOpsSandbox.Repo, number,
            new MergePullRequest { Sha = head, CommitTitle = "Merge it", MergeMethod = PullRequestMergeMethod.Merge });

        Assert.True(pr.Mergeable);
        Assert.Equal([moved, head], ParentsOf(result.Sha));
        Assert.Equal("notes\n", _sandbox.FileAt("main", "docs/notes.md"));
        Assert.Contains("weight: 50", _sandbox.FileAt("main", GitOpsSandbox.VsPath("ecommerce")), StringComparison.Ordinal);
        Assert.StartsWith("Merge it\n", CommitAt(result.Sha).Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Squash_puts_one_commit_on_the_base()
    {
        var (number, head, baseSha) = OpenPull();

        var result = await _octokit.PullRequest.Merge(GitOpsSandbox.Owner, GitOpsSandbox.Repo, number,
            new MergePullRequest { MergeMethod = PullRequestMergeMethod.Squash });

        Assert.Equal([baseSha], ParentsOf(result.Sha));
        Assert.NotEqual(head, result.Sha);
        Assert.StartsWith($"product-catalog: shift v2 20% → 50% (#{number})", CommitAt(result.Sha).Message, StringComparison.Ordinal);
        Assert.Equal(_sandbox.FileAt(Feature, GitOpsSandbox.VsPath("ecommerce")), _sandbox.FileAt("main", GitOpsSandbox.VsPath("ecommerce")));
    }

    [Fact]
    public async Task Rebase_replays_the_heads_commits_with_new_shas()
    {
        var (number, head, _) = OpenPull();
        var moved = _sandbox.Commit("main", "Docs", new Dictionary<string, string> { ["docs/notes.md"] = "notes\n" });

        var result = await _octokit.PullRequest.Merge(GitOpsSandbox.Owner, GitOpsSandbox.Repo, number,
            new MergePullRequest { MergeMethod = PullRequestMergeMethod.Rebase });

        Assert.Equal([moved], ParentsOf(result.Sha));
        Assert.NotEqual(head, result.Sha);
        Assert.Equal(CommitAt(head).Message, CommitAt(result.Sha).Message);
        Assert.Equal("GitHub", CommitAt(result.Sha).Committer);
    }

    [Fact]
    public async Task A_conflict_with_the_base_is_405_and_changes_nothing()
    {
        var (number, head, _) = OpenPull();
        var moved = _sandbox.Commit("main", "Promote by hand", Weights(0, 100));

        var pr = await _octokit.PullRequest.Get(GitOpsSandbox.Owner, GitOpsSandbox.Repo, number);
        var refused = await Assert.ThrowsAsync<PullRequestNotMergeableException>(() =>
            _octokit.PullRequest.Merge(GitOpsSandbox.Owner, GitOpsSandbox.Repo, number, new MergePullRequest { Sha = head }));

        Assert.False(pr.Mergeable);
        Assert.Equal("dirty", pr.MergeableState!.Value.StringValue);
        Assert.Equal("Pull Request is not mergeable", refused.Message);
        Assert.Equal(moved, _sandbox.Head("main"));
        Assert.Equal(ItemState.Open, (await _octokit.PullRequest.Get(GitOpsSandbox.Owner, GitOpsSandbox.Repo, number)).State.Value);
    }

    [Fact]
    public async Task A_head_that_moved_since_is_409()
    {
        var (number, head, baseSha) = OpenPull();
        _sandbox.Commit(Feature, "product-catalog: shift v2 20% → 100%", Weights(0, 100));

        var refused = await Assert.ThrowsAsync<PullRequestMismatchException>(() =>
            _octokit.PullRequest.Merge(GitOpsSandbox.Owner, GitOpsSandbox.Repo, number, new MergePullRequest { Sha = head }));

        Assert.StartsWith("Head branch was modified", refused.Message, StringComparison.Ordinal);
        Assert.Equal(baseSha, _sandbox.Head("main"));
    }

    [Fact]
    public async Task A_merged_or_closed_pr_is_405()
    {
        var (number, head, _) = OpenPull();
        var first = await _octokit.PullRequest.Merge(GitOpsSandbox.Owner, GitOpsSandbox.Repo, number, new MergePullRequest { Sha = head });
        var closed = _sandbox.GitHub.CreatePullRequestDirectly(Feature, "main", "again", "body");
        _sandbox.GitHub.ClosePullRequestDirectly(closed);

        await Assert.ThrowsAsync<PullRequestNotMergeableException>(() =>
            _octokit.PullRequest.Merge(GitOpsSandbox.Owner, GitOpsSandbox.Repo, number, new MergePullRequest()));
        await Assert.ThrowsAsync<PullRequestNotMergeableException>(() =>
            _octokit.PullRequest.Merge(GitOpsSandbox.Owner, GitOpsSandbox.Repo, closed, new MergePullRequest()));
        Assert.Equal(first.Sha, _sandbox.Head("main"));
    }
}
