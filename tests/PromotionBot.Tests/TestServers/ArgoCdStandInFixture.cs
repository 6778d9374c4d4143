using LibGit2Sharp;
using PromotionBot.Cluster;
using PromotionBot.Git;
using PromotionBot.Manifest;
using PromotionBot.Policy;
using PromotionBot.Tests.Cluster;
using PromotionBot.Tests.Git;
using TestServers.ArgoCd;
using TestServers.Git;

namespace PromotionBot.Tests.TestServers;

/// <summary>
/// This repository's manifests in a bare origin, the Kubernetes test server, and the Argo CD stand-in syncing the
/// ecommerce Application into it; the bot's cluster connection and git clone for reading what the bot reads.
/// </summary>
internal sealed class ArgoCdStandInFixture : IAsyncDisposable
{
    public const string Ns = "ecommerce";
    public const string PolicyPath = "apps/ecommerce/components/product-catalog-canary/promotion-policy.yaml";
    public const string VsPath = "apps/ecommerce/components/product-catalog-canary/virtualservice.yaml";
    public static readonly TimeSpan SyncDelay = TimeSpan.FromMilliseconds(300);

    private ArgoCdStandInFixture(string root, string origin, KubernetesTestServer cluster, ArgoCdStandIn argo, ClusterConnection connection)
    {
        Root = root;
        Origin = origin;
        Cluster = cluster;
        Argo = argo;
        Connection = connection;
        Reader = new ClusterReader(connection.Client);
    }

    public string Root { get; }

    public string Origin { get; }

    public KubernetesTestServer Cluster { get; }

    public ArgoCdStandIn Argo { get; }

    public ClusterConnection Connection { get; }

    public ClusterReader Reader { get; }

    public static async Task<ArgoCdStandInFixture> CreateAsync()
    {
        var root = Path.Combine(Path.GetTempPath(), "pb-argo-" + Guid.NewGuid().ToString("N")[..10]);
        var origin = OriginRepository.Create(RepositoryFiles.Root, Path.Combine(root, "origin.git"), ["apps", "argocd", "clusters", "infrastructure"]);
        var cluster = await KubernetesTestServer.StartAsync();
        var argo = await ArgoCdStandIn.StartAsync(cluster, origin, new ArgoCdStandInOptions([Ns], SyncDelay, PollInterval: TimeSpan.FromMilliseconds(50)));
        var settings = new ClusterSettings(true, cluster.WriteKubeconfig(Path.Combine(root, "kube")), "argocd",
            new LeaderElectionSettings(null, "promotion-bot", "default", TimeSpan.FromSeconds(15), "test"));
        var connection = ClusterAccess.Connect(settings, new ListLogger<ClusterConnection>())
            ?? throw new InvalidOperationException("no connection from the generated kubeconfig");
        return new ArgoCdStandInFixture(root, origin, cluster, argo, connection);
    }

    public string Tip()
    {
        using var repo = new Repository(Origin);
        return repo.Branches["main"].Tip.Sha;
    }

    /// <summary>A person's commit on the origin's main that rewrites one file.</summary>
    public string CommitOnMain(string path, Func<string, string> edit, string message)
    {
        using var repo = new Repository(Origin);
        var parent = repo.Branches["main"].Tip;
        var text = edit(((Blob)parent[path].Target).GetContentText());
        using var stream = new MemoryStream(System.Text.Encoding.UTF8.GetBytes(text));
        var tree = TreeDefinition.From(parent.Tree).Add(path, repo.ObjectDatabase.CreateBlob(stream), Mode.NonExecutableFile);
        var who = new Signature("A Human", "human@example.com", DateTimeOffset.UtcNow);
        var commit = repo.ObjectDatabase.CreateCommit(who, who, message, repo.ObjectDatabase.CreateTree(tree), [parent], prettifyMessage: true);
        repo.Refs.UpdateTarget(repo.Refs["refs/heads/main"], commit.Id);
        return commit.Sha;
    }

    /// <summary>The bot's view of the origin: a synced clone, the product-catalog policy and git's weights.</summary>
    public async Task<(GitWorkspace Git, RepoSnapshot Snapshot, CanaryPolicy Policy, RouteWeights Weights)> BotCloneAsync()
    {
        var git = new GitWorkspace(new GitOptions(Origin, "main", Path.Combine(Root, "cache-" + Guid.NewGuid().ToString("N")[..6]), null), new ListLogger<GitWorkspace>());
        var snapshot = await git.SyncAsync(default);
        var policy = PolicyLoader.Load(snapshot.WorkDir, PolicyPath);
        var weights = VirtualServiceFile.ReadWeights(policy.VirtualService.File, File.ReadAllText(Path.Combine(snapshot.WorkDir, policy.VirtualService.File)),
            policy.VirtualService.Name, policy.VirtualService.Route, policy.Stable, policy.Canary);
        return (git, snapshot, policy, weights);
    }

    public async ValueTask DisposeAsync()
    {
        await Argo.DisposeAsync();
        (Connection.Client as IDisposable)?.Dispose();
        await Cluster.DisposeAsync();
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Best effort: a leftover temp folder must not fail a test.
        }
    }
}
