using PromotionBot.Analysis;
using PromotionBot.Manifest;
using PromotionBot.Metrics;
using PromotionBot.Policy;
using Xunit;

namespace PromotionBot.Tests.Analysis;

public sealed class DecisionEngineTests
{
    private static readonly DateTimeOffset At = new(2026, 11, 25, 12, 0, 0, TimeSpan.Zero);

    private static readonly CanaryPolicy Policy = new(
        "order-management", "ecommerce", "order-management", "apps/p.yaml",
        new VirtualServiceTarget("apps/vs.yaml", "order-management", null), "v1", "v2", [20, 50, 100],
        new AnalysisSettings(TimeSpan.FromMinutes(10), 100, 0.01, 500, TimeSpan.FromMinutes(1), 3, TimeSpan.FromMinutes(2)),
        new CircuitBreakingSettings(true, true));

    private static RouteWeights Weights(int v1, int v2) => new("apps/vs.yaml", [new("v1", v1, 10, 15), new("v2", v2, 14, 15)]);

    private static SubsetSignals Healthy(string subset, double requests = 40000) =>
        new(subset, requests, requests * 0.001, 120, 0.001, 110, 0, 0, 0, 0, 0)
        {
            HealthyEndpoints = 1, TotalEndpoints = 1, MembershipIntervals = 3, NoHealthyFailures = 0, ConnectFailures = 0, SustainedFailuresBeforeReaching = 0,
        };

    private static CanarySignals Signals(SubsetSignals v1, SubsetSignals v2, TimeSpan? age = null, double? unattributed = null) =>
        new(At, At - (age ?? TimeSpan.FromSeconds(15)), new Dictionary<string, SubsetSignals> { ["v1"] = v1, ["v2"] = v2 }, unattributed, null, ["q"]);

    [Fact]
    public void Healthy_canary_advances_one_step()
    {
        var d = DecisionEngine.Decide(Policy, Weights(80, 20), Signals(Healthy("v1"), Healthy("v2", 6000)));

        Assert.Equal(DecisionKind.Advance, d.Kind);
        Assert.Equal(50, d.Next!["v2"]);
        Assert.Equal(50, d.Next["v1"]);
        Assert.All(d.Checks.Where(c => c.Subset == "v2"), c => Assert.Equal(CheckOutcome.Pass, c.Result));
    }

    [Fact]
    public void Last_step_is_a_promotion()
    {
        var d = DecisionEngine.Decide(Policy, Weights(50, 50), Signals(Healthy("v1"), Healthy("v2")));
        Assert.Equal(DecisionKind.Promote, d.Kind);
        Assert.Equal(100, d.Next!["v2"]);
        Assert.Equal(0, d.Next["v1"]);
    }

    [Fact]
    public void A_weight_set_by_hand_between_steps_goes_to_the_next_step_above_it()
    {
        var d = DecisionEngine.Decide(Policy, Weights(70, 30), Signals(Healthy("v1"), Healthy("v2")));
        Assert.Equal(50, d.Next!["v2"]);
    }

    [Fact]
    public void Sustained_5xx_on_the_canary_rolls_back()
    {
        var v2 = Healthy("v2", 500) with { Errors = 50, PersistentErrorRate = 0.08 };
        var d = DecisionEngine.Decide(Policy, Weights(80, 20), Signals(Healthy("v1"), v2));

        Assert.Equal(DecisionKind.Rollback, d.Kind);
        Assert.Equal(new Dictionary<string, int> { ["v1"] = 100, ["v2"] = 0 }, d.Next);
        Assert.Contains("5xx rate 10%", d.Reasons[0], StringComparison.Ordinal);
        Assert.Equal([DecisionCause.ErrorRate], d.CauseList);
        Assert.Contains(d.Checks, c => c is { Name: "error-rate", Subset: "v2", Result: CheckOutcome.Fail });
    }

    [Fact]
    public void A_breach_that_has_not_persisted_holds_instead_of_rolling_back()
    {
        var v2 = Healthy("v2", 500) with { Errors = 50, PersistentErrorRate = 0 };
        var d = DecisionEngine.Decide(Policy, Weights(80, 20), Signals(Healthy("v1"), v2));

        Assert.Equal(DecisionKind.Hold, d.Kind);
        Assert.Equal(HoldReason.BreachNotPersistent, d.HoldReason);
        Assert.Null(d.Next);
    }

    [Fact]
    public void Sustained_latency_regression_rolls_back()
    {
        var v2 = Healthy("v2", 500) with { P99LatencyMs = 2400, PersistentP99LatencyMs = 2000 };
        var d = DecisionEngine.Decide(Policy, Weights(80, 20), Signals(Healthy("v1"), v2));

        Assert.Equal(DecisionKind.Rollback, d.Kind);
        Assert.Contains("p99 2400 ms > 500 ms", d.Reasons[0], StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(1, 0, 0, 0, "outlier ejection")]
    [InlineData(0, 2, 0, 0, "outlier ejection")]
    [InlineData(0, 0, 7, 0, "connection-pool overflow")]
    [InlineData(0, 0, 0, 3, "connection-pool overflow")]
    public void Circuit_breaking_rolls_back_even_without_canary_traffic(double active, double enforced, double pending, double uo, string what)
    {
        var v2 = new SubsetSignals("v2", null, null, null, null, null, active, enforced, pending, 0, uo);
        var d = DecisionEngine.Decide(Policy, Weights(80, 20), Signals(Healthy("v1"), v2));

        Assert.Equal(DecisionKind.Rollback, d.Kind);
        Assert.Contains(what, d.Reasons[0], StringComparison.Ordinal);
    }

    [Fact]
    public void Circuit_breaking_on_the_stable_subset_is_not_blamed_on_the_canary()
    {
        var v1 = Healthy("v1") with { EjectionsActiveMax = 1, PendingOverflow = 20 };
        var d = DecisionEngine.Decide(Policy, Weights(80, 20), Signals(v1, Healthy("v2", 6000)));
        Assert.Equal(DecisionKind.Advance, d.Kind);
    }

    [Fact]
    public void Circuit_breaking_checks_can_be_switched_off_by_policy()
    {
        var policy = Policy with { CircuitBreaking = new CircuitBreakingSettings(false, false) };
        var v2 = Healthy("v2", 6000) with { EjectionsActiveMax = 1, PendingOverflow = 3 };
        var d = DecisionEngine.Decide(policy, Weights(80, 20), Signals(Healthy("v1"), v2));
        Assert.Equal(DecisionKind.Advance, d.Kind);
    }

    [Fact]
    public void No_canary_traffic_holds_with_its_own_reason()
    {
        var v2 = new SubsetSignals("v2", null, null, null, null, null, 0, 0, 0, 0, null);
        var d = DecisionEngine.Decide(Policy, Weights(80, 20), Signals(Healthy("v1"), v2, unattributed: 4));

        Assert.Equal(HoldReason.NoTraffic, d.HoldReason);
        Assert.Contains("could not be attributed", d.Reasons[0], StringComparison.Ordinal);
    }

    [Fact]
    public void Too_little_traffic_holds()
    {
        var d = DecisionEngine.Decide(Policy, Weights(80, 20), Signals(Healthy("v1"), Healthy("v2", 12)));
        Assert.Equal(DecisionKind.Hold, d.Kind);
        Assert.Equal(HoldReason.TooLittleTraffic, d.HoldReason);
        Assert.Contains("12 v2 requests", d.Reasons[0], StringComparison.Ordinal);
    }

    [Fact]
    public void Stale_metrics_hold_even_when_the_window_looks_healthy()
    {
        var d = DecisionEngine.Decide(Policy, Weights(80, 20), Signals(Healthy("v1"), Healthy("v2"), age: TimeSpan.FromMinutes(30)));
        Assert.Equal(HoldReason.MetricsStale, d.HoldReason);
        Assert.Contains("30m old", d.Reasons[0], StringComparison.Ordinal);
    }

    [Fact]
    public void Missing_newest_sample_is_stale_not_healthy()
    {
        var signals = Signals(Healthy("v1"), Healthy("v2")) with { NewestSample = null };
        Assert.Equal(HoldReason.MetricsStale, DecisionEngine.Decide(Policy, Weights(80, 20), signals).HoldReason);
    }

    [Fact]
    public void Unavailable_prometheus_holds_and_never_moves()
    {
        var signals = new CanarySignals(At, null, new Dictionary<string, SubsetSignals>(), null, "Prometheus unreachable", ["q"]);
        var d = DecisionEngine.Decide(Policy, Weights(80, 20), signals);

        Assert.Equal(DecisionKind.Hold, d.Kind);
        Assert.Equal(HoldReason.MetricsUnavailable, d.HoldReason);
        Assert.Contains("Prometheus unreachable", d.Reasons[0], StringComparison.Ordinal);
    }

    [Fact]
    public void Missing_latency_data_never_advances()
    {
        var v2 = Healthy("v2", 6000) with { P99LatencyMs = null };
        var d = DecisionEngine.Decide(Policy, Weights(80, 20), Signals(Healthy("v1"), v2));
        Assert.Equal(DecisionKind.Hold, d.Kind);
        Assert.Equal(HoldReason.MetricsUnavailable, d.HoldReason);
    }

    [Fact]
    public void Stable_erroring_while_canary_is_fine_is_not_blamed_on_the_canary()
    {
        var v1 = Healthy("v1") with { Errors = 8000, PersistentErrorRate = 0.2 };
        var d = DecisionEngine.Decide(Policy, Weights(80, 20), Signals(v1, Healthy("v2", 6000)));

        Assert.Equal(DecisionKind.Advance, d.Kind);
        Assert.Contains(d.Reasons, r => r.Contains("not attributed to v2", StringComparison.Ordinal));
        Assert.DoesNotContain(d.Checks, c => c.Subset == "v2" && c.Result == CheckOutcome.Fail);
    }

    [Fact]
    public void Both_subsets_failing_alike_holds_rather_than_blaming_the_canary()
    {
        var v1 = Healthy("v1") with { Errors = 8000, PersistentErrorRate = 0.2 };
        var v2 = Healthy("v2", 6000) with { Errors = 900, PersistentErrorRate = 0.12 };
        var d = DecisionEngine.Decide(Policy, Weights(80, 20), Signals(v1, v2));

        Assert.Equal(DecisionKind.Hold, d.Kind);
        Assert.Contains("shared cause", d.Reasons[0], StringComparison.Ordinal);
    }

    [Fact]
    public void Fully_promoted_and_rolled_back_canaries_hold()
    {
        Assert.Equal(HoldReason.AlreadyPromoted, DecisionEngine.Decide(Policy, Weights(0, 100), Signals(Healthy("v1"), Healthy("v2"))).HoldReason);
        Assert.Equal(HoldReason.RolledBack, DecisionEngine.Decide(Policy, Weights(100, 0), Signals(Healthy("v1"), Healthy("v2"))).HoldReason);
        var ejected = Healthy("v2") with { EjectionsActiveMax = 1 };
        Assert.Equal(HoldReason.RolledBack, DecisionEngine.Decide(Policy, Weights(100, 0), Signals(Healthy("v1"), ejected)).HoldReason);
    }

    [Fact]
    public void Same_inputs_give_the_same_decision()
    {
        var a = DecisionEngine.Decide(Policy, Weights(80, 20), Signals(Healthy("v1"), Healthy("v2", 6000)));
        var b = DecisionEngine.Decide(Policy, Weights(80, 20), Signals(Healthy("v1"), Healthy("v2", 6000)));
        Assert.Equal(a.Kind, b.Kind);
        Assert.Equal(a.Reasons, b.Reasons);
        Assert.Equal(a.Checks, b.Checks);
    }

    [Fact]
    public void Titles_come_from_typed_causes_not_from_the_reason_text()
    {
        // The reason text mentions p99 and 5xx; the typed cause says circuit breaking, and that is what the title uses.
        var v2 = Healthy("v2") with { EjectionsActiveMax = 1 };
        var d = DecisionEngine.Decide(Policy, Weights(80, 20), Signals(Healthy("v1"), v2));
        Assert.Equal([DecisionCause.OutlierEjection], d.CauseList);
        var misleading = d with { Reasons = ["5xx and p99 were fine"] };
        Assert.Equal("circuit breaking", PromotionBot.PullRequests.PromotionProposal.RollbackCause(misleading));

        var slow = Healthy("v2", 500) with { P99LatencyMs = 2400, PersistentP99LatencyMs = 2000 };
        var latency = DecisionEngine.Decide(Policy, Weights(80, 20), Signals(Healthy("v1"), slow));
        Assert.Equal([DecisionCause.Latency], latency.CauseList);
        Assert.Equal("p99 latency", PromotionBot.PullRequests.PromotionProposal.RollbackCause(latency with { Reasons = ["circuit breaking"] }));
    }

    private static SubsetSignals Crashed(string subset) => Healthy(subset, 0) with
    {
        Requests = null, Errors = null, P99LatencyMs = null, PersistentErrorRate = null, PersistentP99LatencyMs = null,
        HealthyEndpoints = 0, TotalEndpoints = 0, MembershipIntervals = 3, NoHealthyFailures = 240, ConnectFailures = 0, SustainedFailuresBeforeReaching = 24,
    };

    [Fact]
    public void Canary_with_weight_and_no_healthy_endpoints_rolls_back_with_the_evidence()
    {
        var signals = Signals(Healthy("v1"), Crashed("v2")) with { UnattributedFailuresByFlag = new Dictionary<string, double> { ["UH"] = 240 } };
        var d = DecisionEngine.Decide(Policy, Weights(80, 20), signals);

        Assert.Equal(DecisionKind.Rollback, d.Kind);
        Assert.Contains(DecisionCause.NoHealthyEndpoints, d.CauseList);
        Assert.Contains("healthy endpoints 0/0", d.Reasons[0], StringComparison.Ordinal);
        Assert.Contains("UH 240", d.Reasons[0], StringComparison.Ordinal);
        Assert.Equal("no healthy endpoints", PromotionBot.PullRequests.PromotionProposal.RollbackCause(d));
    }

    [Fact]
    public void A_canary_that_just_appeared_holds_during_its_first_interval()
    {
        var v2 = Crashed("v2") with { MembershipIntervals = 3, AppearedWithinInterval = true };
        var d = DecisionEngine.Decide(Policy, Weights(80, 20), Signals(Healthy("v1"), v2));
        Assert.Equal(DecisionKind.Hold, d.Kind);
        Assert.Equal([DecisionCause.CanaryStarting], d.CauseList);
    }

    [Fact]
    public void No_healthy_endpoints_for_fewer_than_failure_threshold_intervals_does_not_roll_back()
    {
        var v2 = Crashed("v2") with { MembershipIntervals = 2, SustainedFailuresBeforeReaching = 0 };
        var d = DecisionEngine.Decide(Policy, Weights(80, 20), Signals(Healthy("v1"), v2));
        Assert.NotEqual(DecisionKind.Rollback, d.Kind);
    }

    [Fact]
    public void A_crashed_canary_at_zero_percent_holds()
    {
        var d = DecisionEngine.Decide(Policy, Weights(100, 0), Signals(Healthy("v1"), Crashed("v2")));
        Assert.Equal(DecisionKind.Hold, d.Kind);
        Assert.Equal(HoldReason.RolledBack, d.HoldReason);
    }

    [Fact]
    public void Connect_failures_only_to_the_canary_roll_back_but_to_both_subsets_do_not()
    {
        var v2 = Healthy("v2", 6000) with { HealthyEndpoints = 1, TotalEndpoints = 1, MembershipIntervals = 3, ConnectFailures = 90, SustainedFailuresBeforeReaching = 6 };
        var d = DecisionEngine.Decide(Policy, Weights(80, 20), Signals(Healthy("v1"), v2));
        Assert.Equal(DecisionKind.Rollback, d.Kind);
        Assert.Equal([DecisionCause.UpstreamFailures], d.CauseList);

        var v1 = Healthy("v1") with { SustainedFailuresBeforeReaching = 4 };
        var shared = DecisionEngine.Decide(Policy, Weights(80, 20), Signals(v1, v2));
        Assert.NotEqual(DecisionKind.Rollback, shared.Kind);
    }

    private static IReadOnlyList<WindowCounts> History(double errors, double requests) => [new(errors, requests), new(errors, requests), new(errors, requests)];

    [Fact]
    public void Canary_significantly_worse_than_stable_under_the_ceiling_rolls_back_when_sustained()
    {
        // 0.9 % vs 0.1 %: both under the 1 % ceiling, but +0.8 pp with a 99 % CI above the allowed +0.5 pp.
        var v1 = Healthy("v1", 10000) with { Errors = 10, WindowHistory = History(10, 10000) };
        var v2 = Healthy("v2", 10000) with { Errors = 90, PersistentErrorRate = 0.009, WindowHistory = History(90, 10000) };
        var d = DecisionEngine.Decide(Policy, Weights(80, 20), Signals(v1, v2));

        Assert.Equal(DecisionKind.Rollback, d.Kind);
        Assert.Equal([DecisionCause.WorseThanStable], d.CauseList);
        Assert.Equal(ComparisonVerdict.Worse, d.Comparison!.Verdict);
        Assert.Contains("+0.80 pp (99 % CI +0.56…+1.08), more than the allowed +0.50 pp", d.Reasons[0], StringComparison.Ordinal);

        // Worse now, but not at an earlier interval end: hold with the figures.
        var recent = v2 with { WindowHistory = [new(90, 10000), new(10, 10000), new(10, 10000)] };
        var hold = DecisionEngine.Decide(Policy, Weights(80, 20), Signals(v1, recent));
        Assert.Equal(DecisionKind.Hold, hold.Kind);
        Assert.Equal(HoldReason.ComparisonInconclusive, hold.HoldReason);
        Assert.Contains("+0.80 pp", hold.Reasons[0], StringComparison.Ordinal);
    }

    [Fact]
    public void Too_little_data_to_show_non_inferiority_holds_and_comparison_can_be_switched_off()
    {
        var v1 = Healthy("v1", 1000) with { Errors = 1 };
        var v2 = Healthy("v2", 1000) with { Errors = 1 };
        var d = DecisionEngine.Decide(Policy, Weights(80, 20), Signals(v1, v2));
        Assert.Equal(HoldReason.ComparisonInconclusive, d.HoldReason);
        Assert.Equal(ComparisonVerdict.Inconclusive, d.Comparison!.Verdict);

        var off = Policy with { Analysis = Policy.Analysis with { Comparison = ComparisonSettings.Default with { Enabled = false } } };
        Assert.Equal(DecisionKind.Advance, DecisionEngine.Decide(off, Weights(80, 20), Signals(v1, v2)).Kind);
    }

    [Fact]
    public void Stable_worse_than_canary_does_not_stop_the_canary()
    {
        var v1 = Healthy("v1", 40000) with { Errors = 300 };
        var d = DecisionEngine.Decide(Policy, Weights(80, 20), Signals(v1, Healthy("v2", 6000)));
        Assert.Equal(DecisionKind.Advance, d.Kind);
        Assert.Equal(ComparisonVerdict.NotWorse, d.Comparison!.Verdict);
    }

    [Fact]
    public void Optional_latency_ratio_rolls_back_a_canary_much_slower_than_the_stable()
    {
        var ratio = Policy with { Analysis = Policy.Analysis with { Comparison = ComparisonSettings.Default with { MaxLatencyIncreaseRatio = 1.5 } } };
        var v2 = Healthy("v2", 6000) with { P99LatencyMs = 300, PersistentP99LatencyMs = 280 };
        var d = DecisionEngine.Decide(ratio, Weights(80, 20), Signals(Healthy("v1"), v2));
        Assert.Equal(DecisionKind.Rollback, d.Kind);
        Assert.Equal([DecisionCause.LatencyWorseThanStable], d.CauseList);
        Assert.Equal(DecisionKind.Advance, DecisionEngine.Decide(Policy, Weights(80, 20), Signals(Healthy("v1"), v2)).Kind);
    }
}
