using System.Text.Json.Nodes;
using PromotionBot.Cluster;
using PromotionBot.Tests.Git;
using TestServers.ArgoCd;
using Xunit;

namespace PromotionBot.Tests.TestServers;

/// <summary>The Argo CD stand-in: what it puts live, how it follows the origin, and that the bot's sync gate reads it as Argo CD's.</summary>
public sealed class ArgoCdStandInTests
{
    private const string VsName = "product-catalog";

    private static JsonObject Application(ArgoCdStandInFixture f, string name) =>
        f.Cluster.Get(ClusterReader.ArgoGroup, "argocd", ClusterReader.Applications, name) ?? throw new InvalidOperationException($"no Application {name}");

    [Fact]
    public async Task The_initial_sync_puts_the_rendered_ecommerce_objects_live_with_tracking_ids_and_status()
    {
        await using var f = await ArgoCdStandInFixture.CreateAsync();
        var tip = f.Tip();
        var (git, _, policy, weights) = await f.BotCloneAsync();
        using var _ = git;

        var sync = Assert.Single(f.Argo.Syncs);
        var vs = await f.Reader.VirtualServiceAsync(ArgoCdStandInFixture.Ns, VsName, default);
        var rule = f.Cluster.Get("networking.istio.io", ArgoCdStandInFixture.Ns, "destinationrules", VsName);
        var app = Application(f, "ecommerce");
        var read = await f.Reader.ApplicationAsync("argocd", "ecommerce", default);

        Assert.Equal(("ecommerce", tip), (sync.Application, sync.Revision));
        Assert.True(sync.Changed > 0);
        Assert.Equal(new TrackingId(null, "ecommerce", "networking.istio.io", "VirtualService", ArgoCdStandInFixture.Ns, VsName), vs!.Tracking);
        Assert.Equal("ecommerce:networking.istio.io/DestinationRule:ecommerce/product-catalog", (string?)rule!["metadata"]!["annotations"]!["argocd.argoproj.io/tracking-id"]);
        var live = vs.Weights(policy);
        Assert.Equal((weights.Of("v1"), weights.Of("v2")), (live.Of("v1"), live.Of("v2")));
        Assert.Equal(new Dictionary<string, int> { ["v1"] = weights.Of("v1"), ["v2"] = weights.Of("v2") }, f.Argo.LiveWeights(ArgoCdStandInFixture.Ns, VsName));
        Assert.Null(f.Argo.LiveWeights(ArgoCdStandInFixture.Ns, "no-such-service"));
        Assert.Equal(("Synced", "Healthy", "Succeeded"), (read!.SyncStatus, read.Health, read.OperationPhase));
        Assert.Equal([tip], read.Revisions);
        Assert.NotNull(read.FinishedAt);
        Assert.Equal(tip, (string?)app["status"]!["operationState"]!["syncResult"]!["revision"]);
        Assert.Equal(tip, (string?)app["status"]!["history"]![0]!["revision"]);
        Assert.Equal("clusters/kind/ecommerce", (string?)app["spec"]!["source"]!["path"]);
        // Applications not synced are there as git has them, without a status.
        var addons = Application(f, "addons");
        Assert.Equal("clusters/kind/addons", (string?)addons["spec"]!["source"]!["path"]);
        Assert.Null(addons["status"]);
        Assert.Empty(f.Argo.Problems);
    }

    [Fact]
    public async Task A_weight_change_on_main_goes_live_after_the_sync_delay_and_the_bots_gate_takes_it_as_synced()
    {
        await using var f = await ArgoCdStandInFixture.CreateAsync();
        var synced = new TaskCompletionSource<SyncRecord>(TaskCreationOptions.RunContinuationsAsynchronously);
        f.Argo.Synced += r => synced.TrySetResult(r);

        var step = f.CommitOnMain(ArgoCdStandInFixture.VsPath, text => text.Replace("weight: 80", "weight: 50", StringComparison.Ordinal)
            .Replace("weight: 20", "weight: 50", StringComparison.Ordinal), "product-catalog: shift v2 20% → 50%");
        var sync = await synced.Task.WaitAsync(TimeSpan.FromSeconds(20));
        var (git, snapshot, policy, weights) = await f.BotCloneAsync();
        using var _ = git;
        var gate = new SyncGate(f.Reader, git, "argocd", new ListLogger<SyncGate>());
        var app = (await f.Reader.ApplicationAsync("argocd", "ecommerce", default))!;
        var finishedAt = app.FinishedAt!.Value;

        Assert.Equal((step, 1), (sync.Revision, sync.Changed));
        Assert.True(sync.FinishedAt - sync.SeenAt >= ArgoCdStandInFixture.SyncDelay, $"{sync.SeenAt:O} -> {sync.FinishedAt:O}");
        Assert.Equal((50, 50), (weights.Of("v1"), weights.Of("v2")));
        Assert.Equal(new Dictionary<string, int> { ["v1"] = 50, ["v2"] = 50 }, f.Argo.LiveWeights(ArgoCdStandInFixture.Ns, VsName));
        Assert.Equal([step], app.Revisions);
        Assert.Equal(2, ((JsonArray)Application(f, "ecommerce")["status"]!["history"]!).Count);
        // Live and synced: only the soak is left, and it ends a window after finishedAt.
        Assert.IsType<Soaking>(await gate.CheckAsync(policy, weights, snapshot.BaseSha, finishedAt + TimeSpan.FromSeconds(1), default));
        Assert.Null(await gate.CheckAsync(policy, weights, snapshot.BaseSha, finishedAt + policy.Analysis.Window, default));
    }
}
