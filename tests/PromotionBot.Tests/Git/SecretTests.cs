using System.Net;
using System.Net.Sockets;
using PromotionBot.Git;
using Xunit;

namespace PromotionBot.Tests.Git;

public sealed class SecretTests : IDisposable
{
    private readonly GitSandbox sandbox = new();

    public void Dispose() => sandbox.Dispose();

    [Fact]
    public async Task AnUnreachableHttpsRemoteFailsAfterRetriesWithoutLeakingTheToken()
    {
        var url = $"https://127.0.0.1:{ClosedPort()}/acme/gitops.git";
        using var workspace = sandbox.Workspace(url, GitSandbox.Token);

        var e = await Assert.ThrowsAsync<GitWorkspaceException>(() => workspace.SyncAsync(CancellationToken.None));

        Assert.Contains("failed after 3 attempts", e.Message, StringComparison.Ordinal);
        Assert.Contains(url, e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(GitSandbox.Token, e.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain(GitSandbox.Token, sandbox.Log.All, StringComparison.Ordinal);
        Assert.Contains("retrying", sandbox.Log.All, StringComparison.Ordinal);
        Assert.Empty(Directory.Exists(sandbox.Cache) ? Directory.GetDirectories(sandbox.Cache) : []); // no half clone left
    }

    [Fact]
    public void OptionsNeverPrintTheToken()
    {
        var options = new GitOptions("https://github.com/acme/gitops.git", "main", "/var/cache/bot", GitSandbox.Token);

        Assert.DoesNotContain(GitSandbox.Token, options.ToString(), StringComparison.Ordinal);
        Assert.Contains("Token = ***", options.ToString(), StringComparison.Ordinal);
        Assert.Contains("RemoteUrl = https://github.com/acme/gitops.git", options.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void ARemoteUrlWithEmbeddedCredentialsIsRejectedWithoutEchoingThem()
    {
        var options = new GitOptions($"https://x-access-token:{GitSandbox.Token}@github.com/acme/gitops.git", "main", sandbox.Cache, null);

        var e = Assert.Throws<ArgumentException>(() => new GitWorkspace(options, sandbox.Log));

        Assert.Contains("Git:Token", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(GitSandbox.Token, e.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void ATokenIsNeverSentOverPlainHttpToAnotherHost()
    {
        var options = new GitOptions("http://git.example.com/acme/gitops.git", "main", sandbox.Cache, GitSandbox.Token);

        var e = Assert.Throws<ArgumentException>(() => new GitWorkspace(options, sandbox.Log));

        Assert.Contains("plain http", e.Message, StringComparison.Ordinal);
    }

    private static int ClosedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port; // closed again when disposed: connections are refused
    }
}
