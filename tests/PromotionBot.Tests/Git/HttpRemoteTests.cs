using PromotionBot.Git;
using Xunit;

namespace PromotionBot.Tests.Git;

/// <summary>Pushes through a real smart-HTTP server (git http-backend), where receive-pack hooks and auth apply.</summary>
public sealed class HttpRemoteTests : IAsyncLifetime, IDisposable
{
    private const string Branch = "promotion/product-catalog";
    private readonly GitSandbox sandbox = new();
    private GitHttpServer server = null!;

    public async Task InitializeAsync() => server = await GitHttpServer.StartAsync(sandbox.ServedRoot, GitSandbox.Token);

    public async Task DisposeAsync() => await server.DisposeAsync();

    public void Dispose() => sandbox.Dispose();

    [Fact]
    public async Task TheTokenIsSentAsBasicAuthButNeverStoredInTheClone()
    {
        using var workspace = sandbox.Workspace(server.UrlOf("gitops.git"), GitSandbox.Token);

        var snapshot = await workspace.SyncAsync(CancellationToken.None);
        var result = await workspace.PublishAsync(GitSandbox.Change(80, 20), CancellationToken.None);

        Assert.Equal(PublishOutcome.Pushed, result.Outcome);
        Assert.Equal(result.HeadSha, sandbox.RemoteHead(Branch));
        Assert.NotEmpty(server.AuthorizationHeaders);
        var config = File.ReadAllText(Path.Combine(snapshot.WorkDir, ".git", "config"));
        Assert.Contains(server.UrlOf("gitops.git"), config, StringComparison.Ordinal);
        Assert.DoesNotContain(GitSandbox.Token, config, StringComparison.Ordinal);
        Assert.DoesNotContain(
            Directory.EnumerateFiles(snapshot.WorkDir, "*", SearchOption.AllDirectories),
            f => new FileInfo(f).Length < 1_000_000 && File.ReadAllText(f).Contains(GitSandbox.Token, StringComparison.Ordinal));
        Assert.DoesNotContain(GitSandbox.Token, sandbox.Log.All, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AWrongTokenFailsClearlyWithoutRetryingOrLeakingIt()
    {
        const string wrong = "ghs_WrongTokenAlsoSecret987";
        using var workspace = sandbox.Workspace(server.UrlOf("gitops.git"), wrong);

        var e = await Assert.ThrowsAsync<GitWorkspaceException>(() => workspace.SyncAsync(CancellationToken.None));

        Assert.Contains("authentication", e.Message, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain(wrong, e.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain(wrong, sandbox.Log.All, StringComparison.Ordinal);
        Assert.DoesNotContain("retrying", sandbox.Log.All, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AServerErrorIsRetriedWithBackoff()
    {
        using var workspace = sandbox.Workspace(server.UrlOf("gitops.git"), GitSandbox.Token);
        server.FailNextRequests(1);

        var snapshot = await workspace.SyncAsync(CancellationToken.None);

        Assert.Equal(sandbox.RemoteHead("main"), snapshot.BaseSha);
        Assert.Contains("retrying", sandbox.Log.All, StringComparison.Ordinal);
    }

    [Fact]
    public async Task APushRejectedOnceByTheServerIsRetriedAndSucceeds()
    {
        var marker = Path.Combine(sandbox.Root, "rejected-once");
        InstallPreReceiveHook($"if [ ! -f '{marker}' ]; then touch '{marker}'; echo 'busy, try again' >&2; exit 1; fi\nexit 0\n");
        using var workspace = sandbox.Workspace(server.UrlOf("gitops.git"), GitSandbox.Token);
        await workspace.SyncAsync(CancellationToken.None);

        var result = await workspace.PublishAsync(GitSandbox.Change(80, 20), CancellationToken.None);

        Assert.True(File.Exists(marker), "the hook never ran");
        Assert.Equal(PublishOutcome.Pushed, result.Outcome);
        Assert.Equal(result.HeadSha, sandbox.RemoteHead(Branch));
        Assert.Contains("pre-receive hook declined", sandbox.Log.All, StringComparison.Ordinal);
    }

    [Fact]
    public async Task APushRejectedBecauseTheBaseMovedIsRebuiltOnTheNewBase()
    {
        // The hook moves main to a prepared commit and refuses the first push, as a server that demands
        // branches be up to date with their base would once a merge lands mid-push.
        var newBase = sandbox.HumanCommit("pending", "docs/runbook.md", "merged while the bot was pushing\n");
        var marker = Path.Combine(sandbox.Root, "base-moved");
        InstallPreReceiveHook(
            $"if [ ! -f '{marker}' ]; then touch '{marker}'\n" +
            "  (unset GIT_QUARANTINE_PATH GIT_OBJECT_DIRECTORY GIT_ALTERNATE_OBJECT_DIRECTORIES; git update-ref refs/heads/main refs/heads/pending)\n" +
            "  echo 'base branch moved, rebase first' >&2; exit 1\nfi\nexit 0\n");
        using var workspace = sandbox.Workspace(server.UrlOf("gitops.git"), GitSandbox.Token);
        var snapshot = await workspace.SyncAsync(CancellationToken.None);

        var result = await workspace.PublishAsync(GitSandbox.Change(80, 20), CancellationToken.None);

        Assert.NotEqual(snapshot.BaseSha, newBase);
        Assert.Equal(newBase, sandbox.RemoteHead("main"));
        Assert.Equal(PublishOutcome.Pushed, result.Outcome);
        Assert.Equal(result.HeadSha, sandbox.RemoteHead(Branch));
        Assert.Equal(newBase, GitCli.Run(sandbox.Remote, "rev-parse", Branch + "^"));
        Assert.True(File.Exists(marker), "the hook never ran");
        Assert.Contains("pre-receive hook declined", sandbox.Log.All, StringComparison.Ordinal); // first push was refused
    }

    [Fact]
    public async Task APushAlwaysRejectedFailsClearlyAndLeavesNoBranch()
    {
        InstallPreReceiveHook("echo 'branch protection: denied' >&2\nexit 1\n");
        using var workspace = sandbox.Workspace(server.UrlOf("gitops.git"), GitSandbox.Token);
        await workspace.SyncAsync(CancellationToken.None);

        var e = await Assert.ThrowsAsync<GitWorkspaceException>(
            () => workspace.PublishAsync(GitSandbox.Change(80, 20), CancellationToken.None));

        Assert.Contains($"Publishing branch {Branch} failed after 3 attempts", e.Message, StringComparison.Ordinal);
        Assert.Contains("declined", e.Message, StringComparison.Ordinal);
        Assert.Null(GitCli.Head(sandbox.Remote, Branch));
        Assert.Equal(string.Empty, GitCli.Run(sandbox.Remote, "for-each-ref", "refs/heads/promotion"));
    }

    private void InstallPreReceiveHook(string script)
    {
        var hook = Path.Combine(sandbox.Remote, "hooks", "pre-receive");
        File.WriteAllText(hook, "#!/bin/sh\n" + script);
        if (OperatingSystem.IsWindows())
        {
            return; // git for Windows runs hooks without an executable bit
        }

        File.SetUnixFileMode(hook, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
            | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
    }
}
