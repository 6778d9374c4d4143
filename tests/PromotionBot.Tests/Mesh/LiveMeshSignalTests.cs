using PromotionBot.Analysis;
using PromotionBot.Metrics;
using Scenarios.Live;
using Xunit;

namespace PromotionBot.Tests.Mesh;

/// <summary>
/// The live mesh simulator through a real Prometheus scraping it every second, read back by the bot's own
/// <see cref="SignalReader"/> and judged by its <see cref="DecisionEngine"/> with the shipped policies compressed ×20.
/// </summary>
[Collection(LiveMeshCollection.Name)]
public sealed class LiveMeshSignalTests(LiveMeshFixture mesh)
{
    [Fact]
    public async Task A_healthy_split_follows_the_live_weights_and_advances()
    {
        var policy = LiveMeshFixture.OrderManagementPolicy("orders-split");
        await mesh.HistoryAsync(LiveMeshFixture.FullHistory(policy));

        var signals = (await mesh.ReadAsync(policy))[policy];

        Assert.Null(signals.Unavailable);
        var v1 = signals.Of("v1")!;
        var v2 = signals.Of("v2")!;
        var share = v2.Requests!.Value / (v1.Requests!.Value + v2.Requests.Value);
        Assert.InRange(share, 0.18, 0.22);
        // 1000 rps over the 15 s window, whatever increase() extrapolates at its edges.
        Assert.InRange(v1.Requests.Value + v2.Requests.Value, 13_500, 16_500);
        Assert.Equal(0, v2.Errors);
        Assert.Equal(0, v2.ErrorRate);
        // 30 ms typical: half at 18 ms, 40 % at 30 ms, 9 % at 60 ms, 1 % at 120 ms → p99 at about the 100 ms bucket bound.
        Assert.InRange(v2.P99LatencyMs!.Value, 50, 250);
        Assert.Equal(2, v2.HealthyEndpoints);
        Assert.Equal(1, v1.HealthyEndpoints);
        Assert.Equal(0, v2.EjectionsActiveMax);
        Assert.Equal(0, v2.PendingOverflow);
        Assert.Equal(0, v2.SustainedFailuresBeforeReaching);
        Assert.NotNull(signals.NewestSample);
        Assert.InRange(signals.EvaluatedAt - signals.NewestSample!.Value, TimeSpan.Zero, TimeSpan.FromSeconds(5));

        // Each v2 pod reports its own requests, under its own scrape labels (kept by honor_labels).
        var pods = await mesh.QueryAsync("""sum by (pod, version, namespace, app) (istio_requests_total{reporter="destination", destination_service_name="orders-split", destination_version="v2"})""");
        Assert.Equal(2, pods.Count);
        Assert.All(pods, p => Assert.Equal(("v2", "ecommerce", "orders-split"), (p.Label("version"), p.Label("namespace"), p.Label("app"))));
        Assert.Equal(2, pods.Select(p => p.Label("pod")).Distinct().Count());
        Assert.InRange(pods.Min(p => p.Value) / pods.Max(p => p.Value), 0.99, 1);
        var callers = await mesh.QueryAsync("""count by (pod, app, version) (istio_requests_total{reporter="source", destination_service_name="orders-split"})""");
        Assert.Equal(("ecommerce-ui", "v1"), (Assert.Single(callers).Label("app"), callers[0].Label("version")));

        var decision = DecisionEngine.Decide(policy, LiveMeshFixture.GitWeights(80, 20), signals);
        Assert.True(decision.Kind == DecisionKind.Advance, string.Join("; ", decision.Reasons));
        Assert.Equal(50, decision.Next!["v2"]);
    }

    [Fact]
    public async Task The_tutorial_canaries_at_20_percent_advance_under_the_shipped_policies_compressed_20x()
    {
        var catalog = LiveMeshFixture.ProductCatalogPolicy("product-catalog");
        var orders = LiveMeshFixture.OrderManagementPolicy("order-management");
        await mesh.HistoryAsync(LiveMeshFixture.FullHistory(catalog));

        // One read for both, as a cycle does: two timing groups (30 s and 15 s windows) in the same queries.
        var signals = await mesh.ReadAsync(catalog, orders);

        foreach (var policy in new[] { catalog, orders })
        {
            var decision = DecisionEngine.Decide(policy, LiveMeshFixture.GitWeights(80, 20), signals[policy]);
            Assert.True(decision.Kind == DecisionKind.Advance, $"{policy.Name}: {decision.Kind} {string.Join("; ", decision.Reasons)}");
            Assert.Equal(ComparisonVerdict.NotWorse, decision.Comparison!.Verdict);
            Assert.Equal(50, decision.Next!["v2"]);
        }
    }

    [Fact]
    public async Task A_subset_answering_5xx_shows_its_error_rate_and_rolls_back()
    {
        var policy = LiveMeshFixture.OrderManagementPolicy("orders-5xx");
        await mesh.HistoryAsync(LiveMeshFixture.FullHistory(policy));

        var signals = (await mesh.ReadAsync(policy))[policy];

        var v2 = signals.Of("v2")!;
        Assert.InRange(v2.ErrorRate!.Value, 0.17, 0.23);
        Assert.InRange(v2.PersistentErrorRate!.Value, 0.1, 0.3);
        Assert.Equal(0, signals.Of("v1")!.ErrorRate);
        // The callers' cluster for v2 counts the app's 500s too; none failed before reaching a pod.
        Assert.True(v2.UpstreamRq5xx > 0);
        Assert.Equal(0, v2.NoHealthyFailures);

        var decision = DecisionEngine.Decide(policy, LiveMeshFixture.GitWeights(50, 50), signals);
        Assert.Equal(DecisionKind.Rollback, decision.Kind);
        Assert.Equal([DecisionCause.ErrorRate], decision.CauseList);
        Assert.Equal(0, decision.Next!["v2"]);
    }

    [Fact]
    public async Task Ejection_and_overflow_are_circuit_breaking_and_roll_back_as_soon_as_they_happen()
    {
        var policy = LiveMeshFixture.OrderManagementPolicy("orders-breaker");
        await mesh.HistoryAsync(LiveMeshFixture.FullHistory(policy));
        var before = (await mesh.ReadAsync(policy))[policy];
        Assert.Equal(0, before.Of("v2")!.EjectionsActiveMax);
        Assert.NotEqual(DecisionKind.Rollback, DecisionEngine.Decide(policy, LiveMeshFixture.GitWeights(80, 20), before).Kind);

        // The demo's fault: v2 answers half its requests with 500, Envoy ejects it and its connection pool overflows.
        mesh.Mesh.SetBehaviour("orders-breaker", "v2", new SubsetBehaviour(ErrorRatio: 0.5, Ejected: true, OverflowPerSecond: 4));
        await Task.Delay(TimeSpan.FromSeconds(4));
        var signals = (await mesh.ReadAsync(policy))[policy];

        var v2 = signals.Of("v2")!;
        Assert.Equal(1, v2.EjectionsActiveMax);
        Assert.InRange(v2.EjectionsEnforced!.Value, 1, 2.5);
        // Rejections at the caller: pending overflow on v2's cluster, and UO responses nobody can attribute to a subset.
        Assert.True(v2.PendingOverflow > 0, $"pending overflow {v2.PendingOverflow}");
        Assert.True(signals.UnattributedFailuresByFlag["UO"] > 0);
        // Both counters come from the same scrape of the same caller: exactly as many UO responses as overflows.
        var counters = await mesh.QueryAsync("""
            label_replace(envoy_cluster_upstream_rq_pending_overflow{cluster_name="outbound|9090|v2|orders-breaker.ecommerce.svc.cluster.local"}, "what", "overflow", "", "")
            or label_replace(istio_requests_total{reporter="source", destination_service_name="orders-breaker", response_flags="UO", destination_version="unknown"}, "what", "uo", "", "")
            """);
        Assert.Equal(2, counters.Count);
        Assert.Equal(counters.Single(c => c.Label("what") == "overflow").Value, counters.Single(c => c.Label("what") == "uo").Value);
        Assert.Equal(0, signals.Of("v1")!.PendingOverflow);
        Assert.Equal(0, signals.Of("v1")!.EjectionsActiveMax);
        // Every v2 host ejected and no panic threshold: no healthy member, and v2's share fails in the caller with UH.
        var healthy = await mesh.QueryAsync("""envoy_cluster_membership_healthy{cluster_name="outbound|9090|v2|orders-breaker.ecommerce.svc.cluster.local"}""");
        Assert.Equal(0, Assert.Single(healthy).Value);
        Assert.True(signals.UnattributedFailuresByFlag["UH"] > 0);
        Assert.True(v2.NoHealthyFailures > 0);

        var decision = DecisionEngine.Decide(policy, LiveMeshFixture.GitWeights(80, 20), signals);
        Assert.Equal(DecisionKind.Rollback, decision.Kind);
        Assert.Equal([DecisionCause.OutlierEjection, DecisionCause.ConnectionPoolOverflow], decision.CauseList);
    }

    [Fact]
    public async Task A_crashed_subset_has_no_healthy_endpoint_and_its_callers_fail()
    {
        var policy = LiveMeshFixture.OrderManagementPolicy("orders-crashed");
        await mesh.HistoryAsync(LiveMeshFixture.FullHistory(policy));

        var signals = (await mesh.ReadAsync(policy))[policy];

        var v2 = signals.Of("v2")!;
        Assert.Equal(0, v2.HealthyEndpoints);
        Assert.Equal(policy.Analysis.FailureThreshold, v2.MembershipIntervals);
        Assert.False(v2.AppearedWithinInterval);
        Assert.True(v2.Requests is null or 0, $"v2 served {v2.Requests}");
        Assert.True(v2.NoHealthyFailures > 0 && v2.ConnectFailures > 0, $"UH {v2.NoHealthyFailures}, connect {v2.ConnectFailures}");
        Assert.True(v2.SustainedFailuresBeforeReaching > 0);
        Assert.True(v2.UpstreamRq503 > 0);
        // 20 % of 200 rps for 15 s, all failed by the caller: about 4/5 UH, 1/5 UF,URX.
        var failed = signals.UnattributedFailuresByFlag;
        Assert.InRange(failed["UH"] + failed["UF,URX"], 480, 720);
        Assert.InRange(failed["UF,URX"] / (failed["UH"] + failed["UF,URX"]), 0.15, 0.25);
        Assert.Equal(0, signals.Of("v1")!.SustainedFailuresBeforeReaching);
        var local = await mesh.QueryAsync("""istio_requests_total{reporter="source", destination_service_name="orders-crashed", response_code="503"}""");
        Assert.Equal(["UF,URX", "UH"], local.Select(l => l.Label("response_flags")).Order(StringComparer.Ordinal));
        Assert.All(local, l => Assert.Equal(("unknown", "ecommerce-ui"), (l.Label("destination_version"), l.Label("app"))));

        var decision = DecisionEngine.Decide(policy, LiveMeshFixture.GitWeights(80, 20), signals);
        Assert.Equal(DecisionKind.Rollback, decision.Kind);
        Assert.Contains(DecisionCause.NoHealthyEndpoints, decision.CauseList);
    }

    [Fact]
    public async Task A_behaviour_and_a_weight_change_take_effect_at_once()
    {
        var policy = LiveMeshFixture.OrderManagementPolicy("orders-switch");
        await mesh.HistoryAsync(LiveMeshFixture.FullHistory(policy));

        var before = (await mesh.ReadAsync(policy))[policy];
        Assert.True(before.Of("v2")!.Requests is null, "no weights known yet: everything goes to the first subset");
        Assert.InRange(before.Of("v1")!.Requests!.Value, 2400, 3600);

        mesh.Weights["orders-switch"] = new Dictionary<string, int> { ["v1"] = 50, ["v2"] = 50 };
        mesh.Mesh.SetBehaviour("orders-switch", "v2", new SubsetBehaviour(ErrorRatio: 0.5, LatencyMs: 400));
        Assert.Equal(0.5, mesh.Mesh.GetBehaviour("orders-switch", "v2").ErrorRatio);
        await Task.Delay((policy.Analysis.Interval * policy.Analysis.FailureThreshold) + TimeSpan.FromSeconds(2));

        var after = (await mesh.ReadAsync(policy))[policy];
        var v2 = after.Of("v2")!;
        Assert.InRange(v2.PersistentErrorRate!.Value, 0.4, 0.6);
        // 400 ms typical: 99 % within 800 ms (the 1 s bucket), the 1.6 s tail above: p99 at about the 1 s bound, from 30 ms before.
        Assert.InRange(v2.PersistentP99LatencyMs!.Value, 500, 2500);
        var decision = DecisionEngine.Decide(policy, LiveMeshFixture.GitWeights(50, 50), after);
        Assert.Equal(DecisionKind.Rollback, decision.Kind);
        Assert.Contains(DecisionCause.ErrorRate, decision.CauseList);
    }
}
