using PromotionBot.Git;
using Xunit;

namespace PromotionBot.Tests.Git;

public sealed class PublishTests : IDisposable
{
    private const string Branch = "promotion/product-catalog";
    private readonly GitSandbox sandbox = new();

    public void Dispose() => sandbox.Dispose();

    [Fact]
    public async Task PublishCreatesExactlyOneBotCommitOnTheBaseHead()
    {
        using var workspace = sandbox.Workspace();
        var snapshot = await workspace.SyncAsync(CancellationToken.None);

        var result = await workspace.PublishAsync(GitSandbox.Change(80, 20), CancellationToken.None);

        Assert.Equal(PublishOutcome.Pushed, result.Outcome);
        Assert.Equal(sandbox.RemoteHead(Branch), result.HeadSha);
        Assert.Equal("1", GitCli.Run(sandbox.Remote, "rev-list", "--count", $"main..{Branch}"));
        Assert.Equal(snapshot.BaseSha, GitCli.Run(sandbox.Remote, "rev-parse", Branch + "^"));
        Assert.Equal(
            "promotion-bot <promotion-bot@users.noreply.github.com>|promotion-bot <promotion-bot@users.noreply.github.com>",
            GitCli.Run(sandbox.Remote, "log", "-1", "--format=%an <%ae>|%cn <%ce>", Branch));
        Assert.Equal(GitSandbox.VsPath, GitCli.Run(sandbox.Remote, "diff", "--name-only", "main", Branch));
        Assert.Equal(GitSandbox.Weights(80, 20), GitCli.Run(sandbox.Remote, "show", $"{Branch}:{GitSandbox.VsPath}") + "\n");
        var message = GitCli.Run(sandbox.Remote, "log", "-1", "--format=%B", Branch);
        Assert.StartsWith("product-catalog: shift canary v2 to 20%\n\nAdvance: v2 error rate", message, StringComparison.Ordinal);
        Assert.Equal(
            "Promotion-Canary: ecommerce/product-catalog\nPromotion-Decision: advance",
            GitCli.RunWithInput(sandbox.Remote, message, "interpret-trailers", "--parse"));
        // The working tree the analyzer reads was not touched by publishing.
        Assert.Equal(GitSandbox.Weights(100, 0), File.ReadAllText(Path.Combine(snapshot.WorkDir, GitSandbox.VsPath)));
        Assert.Equal(string.Empty, GitCli.Run(snapshot.WorkDir, "status", "--porcelain"));
    }

    [Fact]
    public async Task PublishingTheSameChangeAgainIsUpToDate()
    {
        using var workspace = sandbox.Workspace();
        await workspace.SyncAsync(CancellationToken.None);
        var first = await workspace.PublishAsync(GitSandbox.Change(80, 20), CancellationToken.None);
        var reflogBefore = GitCli.Run(sandbox.Remote, "rev-list", "--all", "--count");

        var second = await workspace.PublishAsync(GitSandbox.Change(80, 20), CancellationToken.None);

        Assert.Equal(PublishOutcome.UpToDate, second.Outcome);
        Assert.Equal(first.HeadSha, second.HeadSha);
        Assert.Equal(first.HeadSha, sandbox.RemoteHead(Branch));
        Assert.Equal(reflogBefore, GitCli.Run(sandbox.Remote, "rev-list", "--all", "--count"));
    }

    [Fact]
    public async Task ADifferentChangeReplacesTheBotCommit()
    {
        using var workspace = sandbox.Workspace();
        await workspace.SyncAsync(CancellationToken.None);
        var first = await workspace.PublishAsync(GitSandbox.Change(80, 20), CancellationToken.None);

        var second = await workspace.PublishAsync(GitSandbox.Change(50, 50), CancellationToken.None);

        Assert.Equal(PublishOutcome.Pushed, second.Outcome);
        Assert.NotEqual(first.HeadSha, second.HeadSha);
        Assert.Equal("1", GitCli.Run(sandbox.Remote, "rev-list", "--count", $"main..{Branch}"));
        Assert.Equal(GitSandbox.Weights(50, 50), GitCli.Run(sandbox.Remote, "show", $"{Branch}:{GitSandbox.VsPath}") + "\n");
    }

    [Fact]
    public async Task WhenTheBaseMovedTheBotCommitIsRebuiltOnTheNewBase()
    {
        using var workspace = sandbox.Workspace();
        await workspace.SyncAsync(CancellationToken.None);
        var first = await workspace.PublishAsync(GitSandbox.Change(80, 20), CancellationToken.None);
        var newBase = sandbox.HumanCommit("main", "docs/runbook.md", "on-call notes\n");

        var second = await workspace.PublishAsync(GitSandbox.Change(80, 20), CancellationToken.None);

        Assert.Equal(PublishOutcome.Pushed, second.Outcome);
        Assert.NotEqual(first.HeadSha, second.HeadSha);
        Assert.Equal(newBase, GitCli.Run(sandbox.Remote, "rev-parse", Branch + "^"));
        Assert.Equal("1", GitCli.Run(sandbox.Remote, "rev-list", "--count", $"main..{Branch}"));
        Assert.Equal(GitSandbox.VsPath, GitCli.Run(sandbox.Remote, "diff", "--name-only", "main", Branch));
    }

    [Fact]
    public async Task AHumanCommitOnTheBranchIsLeftAlone()
    {
        using var workspace = sandbox.Workspace();
        await workspace.SyncAsync(CancellationToken.None);
        await workspace.PublishAsync(GitSandbox.Change(80, 20), CancellationToken.None);
        var human = sandbox.HumanCommit(Branch, GitSandbox.VsPath, GitSandbox.Weights(90, 10), "Hold at 10% for the sale");

        var result = await workspace.PublishAsync(GitSandbox.Change(50, 50), CancellationToken.None);
        var deleted = await workspace.DeleteBranchAsync(Branch, CancellationToken.None);

        Assert.Equal(PublishOutcome.ForeignCommits, result.Outcome);
        Assert.Equal(human, result.HeadSha);
        Assert.Contains("human@example.com", result.Detail, StringComparison.Ordinal);
        Assert.False(deleted);
        Assert.Equal(human, sandbox.RemoteHead(Branch));
    }

    [Fact]
    public async Task ABranchThatMovesBetweenFetchAndPushIsNotOverwritten()
    {
        using var workspace = sandbox.Workspace();
        await workspace.SyncAsync(CancellationToken.None);
        await workspace.PublishAsync(GitSandbox.Change(80, 20), CancellationToken.None);
        string? human = null;
        workspace.BeforePush = branch => human ??= sandbox.HumanCommit(branch, "docs/x.md", "racing edit\n");

        var result = await workspace.PublishAsync(GitSandbox.Change(50, 50), CancellationToken.None);

        Assert.NotNull(human);
        Assert.Equal(PublishOutcome.ForeignCommits, result.Outcome);
        Assert.Equal(human, sandbox.RemoteHead(Branch));
        Assert.Contains("expected", sandbox.Log.All, StringComparison.Ordinal); // the lease refusal was logged and retried
    }

    [Fact]
    public async Task ABranchCreatedConcurrentlyIsNotOverwritten()
    {
        using var workspace = sandbox.Workspace();
        await workspace.SyncAsync(CancellationToken.None);
        string? human = null;
        workspace.BeforePush = branch => human ??= sandbox.HumanCommit(branch, "docs/x.md", "racing edit\n");

        var result = await workspace.PublishAsync(GitSandbox.Change(80, 20), CancellationToken.None);

        Assert.Equal(PublishOutcome.ForeignCommits, result.Outcome);
        Assert.Equal(human, sandbox.RemoteHead(Branch));
    }

    [Fact]
    public async Task AChangeToAFileThatMovedOnTheBaseSinceSyncIsRefused()
    {
        using var workspace = sandbox.Workspace();
        await workspace.SyncAsync(CancellationToken.None);
        sandbox.HumanCommit("main", GitSandbox.VsPath, GitSandbox.Weights(0, 100), "Manual promotion");

        var e = await Assert.ThrowsAsync<GitWorkspaceException>(
            () => workspace.PublishAsync(GitSandbox.Change(80, 20), CancellationToken.None));

        Assert.Contains(GitSandbox.VsPath, e.Message, StringComparison.Ordinal);
        Assert.Null(GitCli.Head(sandbox.Remote, Branch));
    }

    [Fact]
    public async Task RemoteHeadAndDeleteFollowTheRemoteBranch()
    {
        using var workspace = sandbox.Workspace();
        await workspace.SyncAsync(CancellationToken.None);
        Assert.Null(await workspace.RemoteHeadAsync(Branch, CancellationToken.None));
        var pushed = await workspace.PublishAsync(GitSandbox.Change(80, 20), CancellationToken.None);
        Assert.Equal(pushed.HeadSha, await workspace.RemoteHeadAsync(Branch, CancellationToken.None));

        Assert.True(await workspace.DeleteBranchAsync(Branch, CancellationToken.None));

        Assert.Null(GitCli.Head(sandbox.Remote, Branch));
        Assert.Null(await workspace.RemoteHeadAsync(Branch, CancellationToken.None));
        Assert.True(await workspace.DeleteBranchAsync(Branch, CancellationToken.None)); // absent: no-op
        Assert.NotNull(GitCli.Head(sandbox.Remote, "main"));
    }

    [Fact]
    public async Task AChangeThatAltersNothingOrTargetsTheBaseIsRejected()
    {
        using var workspace = sandbox.Workspace();
        await workspace.SyncAsync(CancellationToken.None);

        var same = await Assert.ThrowsAsync<GitWorkspaceException>(
            () => workspace.PublishAsync(GitSandbox.Change(100, 0), CancellationToken.None));
        var onBase = await Assert.ThrowsAsync<ArgumentException>(
            () => workspace.PublishAsync(GitSandbox.Change(80, 20, branch: "main"), CancellationToken.None));
        var badPath = await Assert.ThrowsAsync<ArgumentException>(() => workspace.PublishAsync(
            GitSandbox.Change(80, 20) with { Files = new Dictionary<string, string> { ["../escape.yaml"] = "x" } },
            CancellationToken.None));

        Assert.Contains("no difference", same.Message, StringComparison.Ordinal);
        Assert.Contains("base branch", onBase.Message, StringComparison.Ordinal);
        Assert.Contains("../escape.yaml", badPath.Message, StringComparison.Ordinal);
        Assert.Null(GitCli.Head(sandbox.Remote, Branch));
    }

    [Fact]
    public async Task ConcurrentCallsRunOneAtATime()
    {
        using var workspace = sandbox.Workspace();
        await workspace.SyncAsync(CancellationToken.None);

        var results = await Task.WhenAll(
            workspace.PublishAsync(GitSandbox.Change(80, 20), CancellationToken.None),
            workspace.PublishAsync(GitSandbox.Change(80, 20), CancellationToken.None),
            workspace.PublishAsync(GitSandbox.Change(80, 20), CancellationToken.None));

        Assert.Single(results, r => r.Outcome == PublishOutcome.Pushed);
        Assert.Equal(2, results.Count(r => r.Outcome == PublishOutcome.UpToDate));
        Assert.All(results, r => Assert.Equal(sandbox.RemoteHead(Branch), r.HeadSha));
    }

    [Fact]
    public async Task TwoWorkspacesSharingACacheFolderTakeTurns()
    {
        using var one = sandbox.Workspace();
        using var other = sandbox.Workspace(); // as a second process would: its own semaphore, same clone folder

        var results = await Task.WhenAll(
            one.PublishAsync(GitSandbox.Change(80, 20), CancellationToken.None),
            other.PublishAsync(GitSandbox.Change(80, 20), CancellationToken.None),
            one.SyncAsync(CancellationToken.None).ContinueWith(_ => one.PublishAsync(GitSandbox.Change(80, 20), CancellationToken.None)).Unwrap(),
            other.SyncAsync(CancellationToken.None).ContinueWith(_ => other.PublishAsync(GitSandbox.Change(80, 20), CancellationToken.None)).Unwrap());

        Assert.Single(results, r => r.Outcome == PublishOutcome.Pushed);
        Assert.Equal(3, results.Count(r => r.Outcome == PublishOutcome.UpToDate));
        Assert.Equal(sandbox.RemoteHead("main"), GitCli.Run(one.CloneDirectory, "rev-parse", "HEAD"));
    }

    [Fact]
    public async Task ACancelledCallStopsBeforeTouchingTheRemote()
    {
        using var workspace = sandbox.Workspace();
        using var cts = new CancellationTokenSource();
        await cts.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => workspace.PublishAsync(GitSandbox.Change(80, 20), cts.Token));

        Assert.Null(GitCli.Head(sandbox.Remote, Branch));
    }
}
