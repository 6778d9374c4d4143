using PromotionBot.Analysis;
using PromotionBot.Cluster;
using PromotionBot.Git;
using PromotionBot.Manifest;
using PromotionBot.Policy;
using PromotionBot.Tests.Git;
using PromotionBot.Tests.PullRequests;
using Xunit;

namespace PromotionBot.Tests.Cluster;

/// <summary>
/// One canary in a real git remote whose VirtualService was last changed by <see cref="StepCommit"/> (50/50) and then
/// an unrelated commit on top (<see cref="Head"/>); the bot's clone synced; the Kubernetes test server reached through
/// a generated kubeconfig; and the sync gate wired to both.
/// </summary>
internal sealed class GateFixture : IAsyncDisposable
{
    public const string Ns = "ecommerce";

    private GateFixture(GitOpsSandbox sandbox, KubernetesTestServer server, GitWorkspace git, ClusterConnection connection)
    {
        Sandbox = sandbox;
        Server = server;
        Git = git;
        Connection = connection;
        Gate = new SyncGate(new ClusterReader(connection.Client), git, LiveObjects.ArgoNamespace, Log);
    }

    public GitOpsSandbox Sandbox { get; }

    public KubernetesTestServer Server { get; }

    public GitWorkspace Git { get; }

    public ClusterConnection Connection { get; }

    public ListLogger<SyncGate> Log { get; } = new();

    public SyncGate Gate { get; }

    public string InitialCommit { get; private set; } = "";

    public string StepCommit { get; private set; } = "";

    public string Head { get; private set; } = "";

    public RepoSnapshot Snapshot { get; private set; } = null!;

    /// <summary>The evaluation time of every run (whole seconds, like Argo CD's timestamps).</summary>
    public DateTimeOffset At { get; } = new(2026, 11, 30, 12, 0, 0, TimeSpan.Zero);

    public static async Task<GateFixture> CreateAsync(string? policyApplication = null)
    {
        var sandbox = await GitOpsSandbox.CreateAsync((Ns, 80, 20));
        var server = await KubernetesTestServer.StartAsync();
        var settings = new ClusterSettings(true, server.WriteKubeconfig(Path.Combine(sandbox.Root, "kube")), LiveObjects.ArgoNamespace,
            new LeaderElectionSettings(null, "promotion-bot", "default", TimeSpan.FromSeconds(15), "test"));
        var connection = ClusterAccess.Connect(settings, new ListLogger<ClusterConnection>())
            ?? throw new InvalidOperationException("no connection from the generated kubeconfig");
        var git = new GitWorkspace(new GitOptions(sandbox.Remote, "main", sandbox.Cache, null), new ListLogger<GitWorkspace>());
        var fixture = new GateFixture(sandbox, server, git, connection)
        {
            InitialCommit = sandbox.Head("main")!,
        };

        var policy = GitOpsSandbox.Policy(Ns);
        if (policyApplication is not null)
        {
            policy = policy.Replace("  steps: [20, 50, 100]", $"  steps: [20, 50, 100]\n  argocd:\n    application: {policyApplication}", StringComparison.Ordinal);
        }

        fixture.StepCommit = sandbox.Commit("main", "product-catalog: shift v2 20% → 50%", new Dictionary<string, string>
        {
            [GitOpsSandbox.VsPath(Ns)] = GitOpsSandbox.VirtualService(Ns, 50, 50),
            [GitOpsSandbox.PolicyPath(Ns)] = policy,
        });
        fixture.Head = sandbox.Commit("main", "Docs", new Dictionary<string, string> { ["README.md"] = "# gitops\n\nUnrelated.\n" });
        fixture.Snapshot = await git.SyncAsync(default);
        return fixture;
    }

    public CanaryPolicy Policy => PolicyLoader.Load(Snapshot.WorkDir, GitOpsSandbox.PolicyPath(Ns));

    /// <summary>An analysis run of the canary with the given verdict (git weights 50/50).</summary>
    public AnalysisRun Run(DecisionKind kind)
    {
        var policy = Policy;
        var weights = VirtualServiceFile.ReadWeights(policy.VirtualService.File,
            File.ReadAllText(Path.Combine(Snapshot.WorkDir, policy.VirtualService.File)), policy.VirtualService.Name, null, "v1", "v2");
        var current = new Dictionary<string, int> { ["v1"] = 50, ["v2"] = 50 };
        var next = kind switch
        {
            DecisionKind.Promote => new Dictionary<string, int> { ["v1"] = 0, ["v2"] = 100 },
            DecisionKind.Rollback => new Dictionary<string, int> { ["v1"] = 100, ["v2"] = 0 },
            DecisionKind.Advance => new Dictionary<string, int> { ["v1"] = 0, ["v2"] = 100 },
            _ => null,
        };
        var decision = new Decision(kind, HoldReason.None, current, next, [$"analysis says {kind.ToString().ToLowerInvariant()}"], []);
        return new AnalysisRun(At, [new CanaryEvaluation(policy.Name, policy, weights, null, decision, null)]);
    }

    public async Task<Decision> GateAsync(DecisionKind kind)
    {
        var run = await Gate.ApplyAsync(Run(kind), Snapshot, default);
        return Assert.Single(run.Canaries).Decision!;
    }

    public async ValueTask DisposeAsync()
    {
        Git.Dispose();
        (Connection.Client as IDisposable)?.Dispose();
        await Server.DisposeAsync();
        await Sandbox.DisposeAsync();
    }
}
