using PromotionBot.Git;
using Xunit;

namespace PromotionBot.Tests.Git;

public sealed class SyncTests : IDisposable
{
    private readonly GitSandbox sandbox = new();

    public void Dispose() => sandbox.Dispose();

    [Fact]
    public async Task FirstSyncClonesAndChecksOutTheBaseHead()
    {
        using var workspace = sandbox.Workspace();

        var snapshot = await workspace.SyncAsync(CancellationToken.None);

        Assert.Equal(sandbox.RemoteHead("main"), snapshot.BaseSha);
        Assert.StartsWith(Path.GetFullPath(sandbox.Cache), snapshot.WorkDir, StringComparison.Ordinal);
        Assert.Equal(GitSandbox.Weights(100, 0), File.ReadAllText(Path.Combine(snapshot.WorkDir, GitSandbox.VsPath)));
        Assert.Equal(snapshot.BaseSha, GitCli.Run(snapshot.WorkDir, "rev-parse", "HEAD"));
        Assert.Equal("HEAD", GitCli.Run(snapshot.WorkDir, "rev-parse", "--abbrev-ref", "HEAD")); // detached
    }

    [Fact]
    public async Task SecondSyncFetchesNewBaseCommitsIntoTheSameCloneAndCleansTheTree()
    {
        using var workspace = sandbox.Workspace();
        var first = await workspace.SyncAsync(CancellationToken.None);
        var marker = Path.Combine(first.WorkDir, ".git", "clone-marker");
        File.WriteAllText(marker, "still the first clone");
        File.WriteAllText(Path.Combine(first.WorkDir, "README.md"), "scribbled over\n");
        File.WriteAllText(Path.Combine(first.WorkDir, "stray.txt"), "untracked\n");
        var newHead = sandbox.HumanCommit("main", "docs/new.md", "new file\n");

        var second = await workspace.SyncAsync(CancellationToken.None);

        Assert.Equal(newHead, second.BaseSha);
        Assert.Equal(first.WorkDir, second.WorkDir);
        Assert.True(File.Exists(marker), "the clone was replaced instead of fetched");
        Assert.Equal("new file\n", File.ReadAllText(Path.Combine(second.WorkDir, "docs/new.md")));
        Assert.Equal("# gitops\n", File.ReadAllText(Path.Combine(second.WorkDir, "README.md")));
        Assert.False(File.Exists(Path.Combine(second.WorkDir, "stray.txt")));
        Assert.Equal(string.Empty, GitCli.Run(second.WorkDir, "status", "--porcelain"));
    }

    [Fact]
    public async Task FileUrlAndPlainPathRemotesBothWorkInSeparateCacheFolders()
    {
        using var byPath = sandbox.Workspace(sandbox.Remote);
        using var byUrl = sandbox.Workspace(new Uri(sandbox.Remote).AbsoluteUri);

        var a = await byPath.SyncAsync(CancellationToken.None);
        var b = await byUrl.SyncAsync(CancellationToken.None);

        Assert.StartsWith("file://", new Uri(sandbox.Remote).AbsoluteUri, StringComparison.Ordinal);
        Assert.Equal(sandbox.RemoteHead("main"), a.BaseSha);
        Assert.Equal(a.BaseSha, b.BaseSha);
        Assert.NotEqual(a.WorkDir, b.WorkDir);
        var pushed = await byUrl.PublishAsync(GitSandbox.Change(80, 20), CancellationToken.None);
        Assert.Equal(PublishOutcome.Pushed, pushed.Outcome);
        Assert.Equal(pushed.HeadSha, sandbox.RemoteHead("promotion/product-catalog"));
    }

    [Fact]
    public async Task ACorruptCachedCloneIsReplacedByAFreshClone()
    {
        using var workspace = sandbox.Workspace();
        var first = await workspace.SyncAsync(CancellationToken.None);
        // What a clone killed half-way looks like: a folder with an incomplete .git.
        Directory.Delete(Path.Combine(first.WorkDir, ".git"), recursive: true);
        Directory.CreateDirectory(Path.Combine(first.WorkDir, ".git", "objects"));
        File.WriteAllText(Path.Combine(first.WorkDir, "leftover.txt"), "junk");

        var second = await workspace.SyncAsync(CancellationToken.None);

        Assert.Equal(first.WorkDir, second.WorkDir);
        Assert.Equal(sandbox.RemoteHead("main"), second.BaseSha);
        Assert.False(File.Exists(Path.Combine(second.WorkDir, "leftover.txt")));
        Assert.Contains("not a valid repository", sandbox.Log.All, StringComparison.Ordinal);
        Assert.Single(Directory.GetDirectories(sandbox.Cache)); // no partial/stale leftovers
    }

    [Fact]
    public async Task ACachedCloneOfAnotherRemoteIsReportedNotWiped()
    {
        using var workspace = sandbox.Workspace();
        var first = await workspace.SyncAsync(CancellationToken.None);
        GitCli.Run(first.WorkDir, "remote", "set-url", "origin", "/somewhere/else.git");

        var e = await Assert.ThrowsAsync<GitWorkspaceException>(() => workspace.SyncAsync(CancellationToken.None));

        Assert.Contains("/somewhere/else.git", e.Message, StringComparison.Ordinal);
        Assert.Contains(first.WorkDir, e.Message, StringComparison.Ordinal);
        Assert.True(Directory.Exists(Path.Combine(first.WorkDir, ".git")));
    }

    [Fact]
    public async Task AMissingBaseBranchIsAClearError()
    {
        using var workspace = new GitWorkspace(new GitOptions(sandbox.Remote, "production", sandbox.Cache, null), sandbox.Log);

        var e = await Assert.ThrowsAsync<GitWorkspaceException>(() => workspace.SyncAsync(CancellationToken.None));

        Assert.Contains("'production' does not exist", e.Message, StringComparison.Ordinal);
    }
}
