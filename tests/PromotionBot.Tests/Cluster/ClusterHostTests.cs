using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using PromotionBot.Cluster;
using Xunit;

namespace PromotionBot.Tests.Cluster;

/// <summary><c>AddPromotionBotCluster</c> in real generic hosts: configuration decides between the Lease and "always leader".</summary>
public sealed class ClusterHostTests : IAsyncLifetime
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "pb-host-" + Guid.NewGuid().ToString("N")[..10]);
    private KubernetesTestServer _server = null!;

    public async Task InitializeAsync() => _server = await KubernetesTestServer.StartAsync();

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        Directory.Delete(_dir, recursive: true);
    }

    private static IHost Build(params (string Key, string Value)[] settings)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders();
        foreach (var (key, value) in settings)
        {
            builder.Configuration[key] = value;
        }

        builder.Services.AddPromotionBotCluster();
        return builder.Build();
    }

    private static async Task Until(Func<bool> condition)
    {
        for (var i = 0; i < 1500 && !condition(); i++)
        {
            await Task.Delay(20);
        }

        Assert.True(condition(), "condition not reached within 30 s");
    }

    [Fact]
    public async Task Two_hosts_on_one_cluster_elect_one_leader_and_hand_over_on_stop()
    {
        var kubeconfig = _server.WriteKubeconfig(_dir);
        using var a = Build(("Cluster:Kubeconfig", kubeconfig), ("LeaderElection:Identity", "pod-a"), ("LeaderElection:LeaseDuration", "3s"), ("LeaderElection:Namespace", "promotion-bot"));
        using var b = Build(("Cluster:Kubeconfig", kubeconfig), ("LeaderElection:Identity", "pod-b"), ("LeaderElection:LeaseDuration", "3s"), ("LeaderElection:Namespace", "promotion-bot"));
        var leaderA = a.Services.GetRequiredService<ClusterLeadership>();
        var leaderB = b.Services.GetRequiredService<ClusterLeadership>();

        await a.StartAsync();
        await Until(() => leaderA.IsLeader);
        await b.StartAsync();
        await Task.Delay(500);
        Assert.False(leaderB.IsLeader);

        await a.StopAsync();
        await Until(() => leaderB.IsLeader);
        Assert.True(leaderB.IsElected);
        Assert.Equal("pod-b", (string?)_server.Lease("promotion-bot", "promotion-bot")!["spec"]!["holderIdentity"]);
        Assert.NotNull(b.Services.GetRequiredService<ClusterRuntime>().Connection);
        await b.StopAsync();
    }

    [Fact]
    public async Task Without_a_cluster_or_with_election_off_the_replica_always_leads()
    {
        using var noCluster = Build(("Cluster:Enabled", "false"));
        using var electionOff = Build(("Cluster:Kubeconfig", _server.WriteKubeconfig(_dir)), ("LeaderElection:Enabled", "false"));

        await noCluster.StartAsync();
        await electionOff.StartAsync();

        Assert.True(noCluster.Services.GetRequiredService<ClusterLeadership>().IsLeader);
        Assert.True(electionOff.Services.GetRequiredService<ClusterLeadership>().IsLeader);
        Assert.False(electionOff.Services.GetRequiredService<ClusterLeadership>().IsElected);
        Assert.Empty(_server.Requests);
        await noCluster.StopAsync();
        await electionOff.StopAsync();
    }
}
