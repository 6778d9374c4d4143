using PromotionBot.Analysis;
using PromotionBot.Cluster;
using Xunit;
using static PromotionBot.Tests.Cluster.GateFixture;

namespace PromotionBot.Tests.Cluster;

/// <summary>The sync gate against the Kubernetes test server (over HTTP, through a kubeconfig) and a real git clone.</summary>
public sealed class SyncGateTests
{
    private static readonly TimeSpan Window = TimeSpan.FromMinutes(10);

    private static T HeldBy<T>(Decision decision) where T : NotLiveCause
    {
        Assert.Equal(DecisionKind.Hold, decision.Kind);
        Assert.Equal(HoldReason.NotLive, decision.HoldReason);
        Assert.Null(decision.Next);
        var cause = Assert.IsType<T>(decision.NotLive);
        Assert.Equal(cause.Text, decision.Reasons[0]);
        Assert.Equal(cause.Kind, (string)cause.ToJson()["cause"]!);
        return cause;
    }

    [Fact]
    public async Task Live_step_after_a_full_window_lets_the_advance_through()
    {
        await using var f = await CreateAsync();
        LiveObjects.VirtualService(f.Server, Ns, 50, 50);
        // Synced at a later unrelated commit: it contains the step's commit.
        LiveObjects.Application(f.Server, f.Head, f.At - Window - TimeSpan.FromSeconds(1));

        var decision = await f.GateAsync(DecisionKind.Advance);

        Assert.Equal(DecisionKind.Advance, decision.Kind);
        Assert.Null(decision.NotLive);
        Assert.Contains(f.Server.Requests, r => r is { Group: "argoproj.io", Resource: "applications", Namespace: "argocd", Verb: "get", Name: LiveObjects.App });
    }

    [Fact]
    public async Task Out_of_sync_application_holds_waiting_for_sync_with_both_revisions()
    {
        await using var f = await CreateAsync();
        LiveObjects.VirtualService(f.Server, Ns, 50, 50);
        LiveObjects.Application(f.Server, f.Head, f.At.AddHours(-1), sync: "OutOfSync");

        var cause = HeldBy<WaitingForSync>(await f.GateAsync(DecisionKind.Promote));

        Assert.Equal(f.StepCommit, cause.Required);
        Assert.Equal([f.Head], cause.Synced);
        Assert.Equal("OutOfSync", cause.SyncStatus);
        Assert.StartsWith("waiting for sync: ecommerce is OutOfSync at " + f.Head[..12], cause.Text, StringComparison.Ordinal);
        Assert.EndsWith("needs " + f.StepCommit[..12], cause.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Synced_at_an_older_revision_holds_waiting_for_sync()
    {
        await using var f = await CreateAsync();
        // The cluster still runs the commit before the step, at its weights.
        LiveObjects.VirtualService(f.Server, Ns, 80, 20);
        LiveObjects.Application(f.Server, f.InitialCommit, f.At.AddHours(-1));

        var cause = HeldBy<WaitingForSync>(await f.GateAsync(DecisionKind.Advance));

        Assert.Equal(f.StepCommit, cause.Required);
        Assert.Equal([f.InitialCommit], cause.Synced);
        var json = cause.ToJson();
        Assert.Equal(f.StepCommit, (string)json["requiredRevision"]!);
        Assert.Equal(f.InitialCommit, (string)json["syncedRevisions"]![0]!);
    }

    [Fact]
    public async Task Revision_unknown_to_the_clone_is_not_taken_as_live()
    {
        await using var f = await CreateAsync();
        LiveObjects.VirtualService(f.Server, Ns, 50, 50);
        LiveObjects.Application(f.Server, new string('a', 40), f.At.AddHours(-1));

        HeldBy<WaitingForSync>(await f.GateAsync(DecisionKind.Advance));
    }

    [Fact]
    public async Task Running_sync_holds_waiting_for_sync()
    {
        await using var f = await CreateAsync();
        LiveObjects.VirtualService(f.Server, Ns, 50, 50);
        LiveObjects.Application(f.Server, f.StepCommit, finishedAt: null, phase: "Running");

        var cause = HeldBy<WaitingForSync>(await f.GateAsync(DecisionKind.Advance));

        Assert.Contains("(sync Running)", cause.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Live_weights_other_than_git_hold_as_drift()
    {
        await using var f = await CreateAsync();
        LiveObjects.VirtualService(f.Server, Ns, 80, 20);
        LiveObjects.Application(f.Server, f.StepCommit, f.At.AddHours(-1));

        var cause = HeldBy<WeightsDrift>(await f.GateAsync(DecisionKind.Advance));

        Assert.Equal("weights drift: git 50/50, cluster 80/20", cause.Text);
        Assert.Equal(80, (int)cause.ToJson()["cluster"]!["v1"]!);
    }

    [Fact]
    public async Task Sync_finished_less_than_a_window_ago_holds_soaking()
    {
        await using var f = await CreateAsync();
        LiveObjects.VirtualService(f.Server, Ns, 50, 50);
        LiveObjects.Application(f.Server, f.StepCommit, f.At - TimeSpan.FromSeconds(192));

        var cause = HeldBy<Soaking>(await f.GateAsync(DecisionKind.Promote));

        Assert.Equal("soaking 3m12s of 10m", cause.Text);
        Assert.Equal(192, (long)cause.ToJson()["elapsedSeconds"]!);
    }

    [Fact]
    public async Task Unhealthy_application_holds()
    {
        await using var f = await CreateAsync();
        LiveObjects.VirtualService(f.Server, Ns, 50, 50);
        LiveObjects.Application(f.Server, f.StepCommit, f.At.AddHours(-1), health: "Degraded");

        var cause = HeldBy<ApplicationUnhealthy>(await f.GateAsync(DecisionKind.Advance));

        Assert.Equal("application unhealthy: ecommerce is Degraded", cause.Text);
    }

    [Fact]
    public async Task Rollback_is_never_gated_and_never_asks_the_cluster()
    {
        await using var f = await CreateAsync();
        LiveObjects.VirtualService(f.Server, Ns, 80, 20);
        LiveObjects.Application(f.Server, f.InitialCommit, finishedAt: null, sync: "OutOfSync", health: "Degraded", phase: "Running");

        var rollback = await f.GateAsync(DecisionKind.Rollback);
        var hold = await f.GateAsync(DecisionKind.Hold);

        Assert.Equal(DecisionKind.Rollback, rollback.Kind);
        Assert.Equal(100, rollback.Next!["v1"]);
        Assert.Null(rollback.NotLive);
        Assert.Equal(HoldReason.None, hold.HoldReason);
        Assert.Empty(f.Server.Requests);
    }

    [Fact]
    public async Task Application_named_by_the_policy_is_used_when_the_live_object_has_no_tracking_annotation()
    {
        await using var f = await CreateAsync(policyApplication: "shop");
        LiveObjects.VirtualService(f.Server, Ns, 50, 50, trackingApp: null);
        LiveObjects.Application(f.Server, f.StepCommit, f.At.AddHours(-1), name: "shop");
        // Another Application with a bad status must not be the one consulted.
        LiveObjects.Application(f.Server, f.InitialCommit, f.At.AddHours(-1), sync: "OutOfSync");

        var decision = await f.GateAsync(DecisionKind.Advance);

        Assert.Equal(DecisionKind.Advance, decision.Kind);
        Assert.Contains(f.Server.Requests, r => r is { Resource: "applications", Name: "shop" });
        Assert.DoesNotContain(f.Server.Requests, r => r is { Resource: "applications", Name: LiveObjects.App });
    }

    [Fact]
    public async Task Application_found_from_the_tracking_annotation()
    {
        await using var f = await CreateAsync();
        LiveObjects.VirtualService(f.Server, Ns, 50, 50, trackingApp: "ecommerce-kind");
        LiveObjects.Application(f.Server, f.StepCommit, f.At.AddHours(-1), health: "Progressing", name: "ecommerce-kind");

        var cause = HeldBy<ApplicationUnhealthy>(await f.GateAsync(DecisionKind.Advance));

        Assert.Equal("ecommerce-kind", cause.Application);
    }

    [Fact]
    public async Task No_way_to_find_the_application_holds_with_live_state_unknown()
    {
        await using var f = await CreateAsync();
        LiveObjects.VirtualService(f.Server, Ns, 50, 50, trackingApp: null);

        var cause = HeldBy<LiveStateUnknown>(await f.GateAsync(DecisionKind.Advance));

        Assert.Contains("argocd.argoproj.io/tracking-id", cause.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Missing_virtual_service_or_api_outage_holds_rather_than_acting_blind()
    {
        await using var f = await CreateAsync();
        LiveObjects.Application(f.Server, f.StepCommit, f.At.AddHours(-1));

        var missing = HeldBy<LiveStateUnknown>(await f.GateAsync(DecisionKind.Advance));
        LiveObjects.VirtualService(f.Server, Ns, 50, 50);
        f.Server.Unavailable = true;
        var outage = HeldBy<LiveStateUnknown>(await f.GateAsync(DecisionKind.Advance));

        Assert.Contains($"VirtualService {Ns}/product-catalog not found", missing.Text, StringComparison.Ordinal);
        Assert.Contains("ServiceUnavailable", outage.Text, StringComparison.Ordinal);
    }
}
