using System.Globalization;
using PromotionBot.Cluster;
using PromotionBot.Tests.Git;
using Xunit;

namespace PromotionBot.Tests.Cluster;

/// <summary>
/// Two replicas electing through KubernetesClient's LeaderElector on one Lease in the Kubernetes test server.
/// Short leases keep the tests quick; the properties asserted come from the Lease's own timestamps.
/// </summary>
public sealed class LeaseLeadershipTests : IAsyncLifetime
{
    private static readonly TimeSpan LeaseDuration = TimeSpan.FromSeconds(3);
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    private readonly string _dir = Path.Combine(Path.GetTempPath(), "pb-lease-" + Guid.NewGuid().ToString("N")[..10]);
    private readonly List<ClusterConnection> _connections = [];
    private KubernetesTestServer _server = null!;

    public async Task InitializeAsync() => _server = await KubernetesTestServer.StartAsync();

    public async Task DisposeAsync()
    {
        foreach (var c in _connections)
        {
            (c.Client as IDisposable)?.Dispose();
        }

        await _server.DisposeAsync();
        Directory.Delete(_dir, recursive: true);
    }

    private async Task<LeaseLeadership> StartAsync(string identity)
    {
        var settings = new ClusterSettings(true, _server.WriteKubeconfig(_dir), "argocd",
            new LeaderElectionSettings(true, "promotion-bot", "promotion-bot", LeaseDuration, identity));
        var connection = ClusterAccess.Connect(settings, new ListLogger<ClusterConnection>())!;
        _connections.Add(connection);
        var leadership = new LeaseLeadership(connection.Client, settings.LeaderElection, new ListLogger<LeaseLeadership>());
        await leadership.StartAsync(default);
        return leadership;
    }

    private static async Task Until(Func<bool> condition, string what)
    {
        using var timeout = new CancellationTokenSource(Patience);
        while (!condition())
        {
            await Task.Delay(20, timeout.Token).ContinueWith(t => Assert.False(t.IsCanceled, $"gave up waiting: {what}"));
        }
    }

    private string? Holder => (string?)_server.Lease("promotion-bot", "promotion-bot")?["spec"]?["holderIdentity"];

    private DateTimeOffset LeaseTime(string field) =>
        DateTimeOffset.Parse((string)_server.Lease("promotion-bot", "promotion-bot")!["spec"]![field]!, CultureInfo.InvariantCulture);

    [Fact]
    public async Task Two_replicas_on_one_lease_never_lead_together()
    {
        var a = await StartAsync("pod-a");
        var b = await StartAsync("pod-b");
        var overlaps = 0;
        var together = new[] { a, b };

        await Until(() => a.IsLeader || b.IsLeader, "a leader");
        // Watch several renewal periods: the holder stays one replica, and it is the one that says it leads.
        for (var i = 0; i < 100; i++)
        {
            if (a.IsLeader && b.IsLeader)
            {
                overlaps++;
            }

            await Task.Delay(20);
        }

        var leader = together.Single(l => l.IsLeader);
        Assert.Equal(0, overlaps);
        Assert.Equal(leader.Identity, Holder);
        await a.StopAsync(default);
        await b.StopAsync(default);
    }

    [Fact]
    public async Task Stopped_leader_releases_the_lease_and_the_other_takes_over_within_one_lease_duration()
    {
        var a = await StartAsync("pod-a");
        await Until(() => a.IsLeader, "pod-a leads");
        var b = await StartAsync("pod-b");

        await a.StopAsync(default); // SIGTERM
        await Until(() => b.IsLeader, "pod-b takes over");
        var release = Assert.Single(_server.Requests, r => r.Verb == "update" && (string?)r.Body!["spec"]!["holderIdentity"] == "");
        var released = DateTimeOffset.Parse((string)release.Body!["spec"]!["renewTime"]!, CultureInfo.InvariantCulture);

        Assert.False(a.IsLeader);
        Assert.Equal("pod-b", Holder);
        Assert.True(LeaseTime("acquireTime") - released < LeaseDuration, $"takeover {LeaseTime("acquireTime") - released} after release");
        await b.StopAsync(default);
        Assert.Equal("", Holder);
    }

    [Fact]
    public async Task Dead_leader_is_replaced_after_its_lease_expires_and_not_before()
    {
        var a = await StartAsync("pod-a");
        await Until(() => a.IsLeader, "pod-a leads");
        var b = await StartAsync("pod-b");

        await a.AbandonAsync(); // killed: no release
        var lastRenewal = LeaseTime("renewTime");
        Assert.Equal("pod-a", Holder);
        await Until(() => b.IsLeader, "pod-b takes over");

        var gap = LeaseTime("acquireTime") - lastRenewal;
        Assert.True(gap >= LeaseDuration, $"pod-b took over {gap} after the last renewal, before the lease expired");
        Assert.True(gap < LeaseDuration * 2, $"pod-b took over only {gap} after the last renewal");
        await b.StopAsync(default);
    }

    [Fact]
    public async Task Conflicts_on_renew_do_not_crash_the_elector()
    {
        var a = await StartAsync("pod-a");
        var b = await StartAsync("pod-b");
        await Until(() => a.IsLeader || b.IsLeader, "a leader");

        // A short streak: renewal retries within the deadline and the leader keeps the Lease.
        var leader = a.IsLeader ? a : b;
        _server.ConflictNextLeaseUpdates(2);
        var before = LeaseTime("renewTime");
        await Until(() => LeaseTime("renewTime") > before && _server.Requests.Count(r => r.Verb == "update") > 3, "renewed after the conflicts");
        Assert.True(leader.IsLeader);

        // A long streak: the leader gives up past its renew deadline; election goes on and someone leads again.
        _server.ConflictNextLeaseUpdates(1000);
        await Until(() => !a.IsLeader && !b.IsLeader, "leadership lost");
        _server.ConflictNextLeaseUpdates(0);
        await Until(() => a.IsLeader ^ b.IsLeader, "a leader again");

        Assert.False(a.ExecuteTask!.IsCompleted);
        Assert.False(b.ExecuteTask!.IsCompleted);
        Assert.Equal(a.IsLeader ? "pod-a" : "pod-b", Holder);
        await a.StopAsync(default);
        await b.StopAsync(default);
    }
}
