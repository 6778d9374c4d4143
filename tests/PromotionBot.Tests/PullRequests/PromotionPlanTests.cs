using PromotionBot.Analysis;
using PromotionBot.PullRequests;
using Xunit;
using static PromotionBot.Tests.PullRequests.Canaries;

namespace PromotionBot.Tests.PullRequests;

public sealed class PromotionPlanTests
{
    private static CanaryPlan Single(AnalysisRun run, params BotPullRequest[] prs) => Assert.Single(PromotionPlan.Compute(run, prs));

    [Fact]
    public void Advance_without_pr_opens_one()
    {
        var plan = Single(Run(Evaluation(DecisionKind.Advance, (80, 20), (50, 50))));

        var open = Assert.IsType<OpenPullRequest>(Assert.Single(plan.Actions));
        Assert.Equal("promotion/ecommerce/product-catalog", open.Proposal.Branch);
        Assert.Equal("product-catalog: shift v2 20% → 50%", open.Proposal.Title);
        Assert.Equal(["promotion", "canary:product-catalog"], open.Proposal.Labels);
    }

    [Fact]
    public void Hold_without_pr_does_nothing()
    {
        var plan = Single(Run(Evaluation(DecisionKind.Hold, (80, 20), hold: HoldReason.TooLittleTraffic, reason: "too little traffic")));

        Assert.Empty(plan.Actions);
        Assert.Contains("too little canary traffic", plan.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Same_proposal_refreshes_without_change()
    {
        var pr = OpenPr(7, DecisionKind.Advance, (50, 50));

        var refresh = Assert.IsType<RefreshPullRequest>(Assert.Single(Single(Run(Evaluation(DecisionKind.Advance, (80, 20), (50, 50))), pr).Actions));

        Assert.Same(pr, refresh.PullRequest);
        Assert.False(refresh.ProposalChanged);
    }

    [Fact]
    public void Next_step_changing_updates_the_pending_pr()
    {
        // PR proposed 50%; meanwhile a person set 50% by hand in git and the canary earned the promotion to 100%.
        var pr = OpenPr(7, DecisionKind.Advance, (50, 50));

        var refresh = Assert.IsType<RefreshPullRequest>(Assert.Single(Single(Run(Evaluation(DecisionKind.Promote, (50, 50), (0, 100))), pr).Actions));

        Assert.True(refresh.ProposalChanged);
        Assert.Equal("product-catalog: promote v2 50% → 100%", refresh.Proposal.Title);
    }

    [Fact]
    public void Rollback_supersedes_advance_failure_status_then_close_then_open()
    {
        var pr = OpenPr(7, DecisionKind.Advance, (50, 50));
        var run = Run(Evaluation(DecisionKind.Rollback, (80, 20), (100, 0), reason: "circuit breaking on v2: outlier ejection in the last 10m", causes: [DecisionCause.OutlierEjection]));

        var actions = Single(run, pr).Actions;

        Assert.Collection(actions,
            a => Assert.Equal(EvidenceState.Failure, Assert.IsType<SetEvidenceStatus>(a).State),
            a => Assert.Contains("superseded by a rollback", Assert.IsType<ClosePullRequest>(a).Comment, StringComparison.Ordinal),
            a => Assert.Equal("product-catalog: revert to v1 (circuit breaking on v2)", Assert.IsType<OpenPullRequest>(a).Proposal.Title));
        Assert.Equal(["rollback", "canary:product-catalog"], ((OpenPullRequest)actions[2]).Proposal.Labels);
    }

    [Fact]
    public void Open_rollback_is_kept_when_canary_recovers()
    {
        var pr = OpenPr(9, DecisionKind.Rollback, (100, 0));

        var plan = Single(Run(Evaluation(DecisionKind.Advance, (80, 20), (50, 50))), pr);

        var status = Assert.IsType<SetEvidenceStatus>(Assert.Single(plan.Actions));
        Assert.Equal(EvidenceState.Success, status.State);
        Assert.Contains("withheld", plan.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Hold_with_open_advance_marks_it_pending()
    {
        var pr = OpenPr(7, DecisionKind.Advance, (50, 50));

        var plan = Single(Run(Evaluation(DecisionKind.Hold, (80, 20), hold: HoldReason.MetricsStale, reason: "metrics stale")), pr);

        var status = Assert.IsType<SetEvidenceStatus>(Assert.Single(plan.Actions));
        Assert.Equal(EvidenceState.Pending, status.State);
        Assert.Contains("metrics are stale", status.Description, StringComparison.Ordinal);
    }

    [Fact]
    public void Proposal_already_in_base_closes_the_stale_pr()
    {
        var pr = OpenPr(7, DecisionKind.Promote, (0, 100));

        var plan = Single(Run(Evaluation(DecisionKind.Hold, (0, 100), hold: HoldReason.AlreadyPromoted, reason: "already 100%")), pr);

        Assert.Contains("already routes v1:0,v2:100", Assert.IsType<ClosePullRequest>(Assert.Single(plan.Actions)).Comment, StringComparison.Ordinal);
    }

    [Fact]
    public void Unjudgeable_canary_with_pr_gets_error_status()
    {
        var pr = OpenPr(7, DecisionKind.Advance, (50, 50));
        var broken = Evaluation(DecisionKind.Advance, (80, 20)) with { Decision = null, Error = "virtualservice.yaml:12:15: weight is not an integer" };

        var status = Assert.IsType<SetEvidenceStatus>(Assert.Single(Single(Run(broken), pr).Actions));

        Assert.Equal(EvidenceState.Error, status.State);
        Assert.Contains("virtualservice.yaml:12:15", status.Description, StringComparison.Ordinal);
    }

    [Fact]
    public void Duplicate_prs_for_one_canary_keep_the_oldest()
    {
        var older = OpenPr(3, DecisionKind.Advance, (50, 50));
        var newer = OpenPr(8, DecisionKind.Advance, (50, 50));

        var actions = Single(Run(Evaluation(DecisionKind.Advance, (80, 20), (50, 50))), newer, older).Actions;

        Assert.Equal(8, Assert.IsType<ClosePullRequest>(actions[0]).PullRequest.Number);
        Assert.Equal(3, Assert.IsType<RefreshPullRequest>(actions[1]).PullRequest.Number);
    }

    [Fact]
    public void Pr_for_a_canary_without_policy_is_closed_only_when_every_policy_parsed()
    {
        var orphan = OpenPr(4, DecisionKind.Advance, (50, 50), name: "gone");
        var healthy = Evaluation(DecisionKind.Hold, (80, 20), hold: HoldReason.NoTraffic);
        var unparsable = new CanaryEvaluation("apps/x/promotion-policy.yaml", null, null, null, null, "apps/x/promotion-policy.yaml:3:1: bad");

        var closed = PromotionPlan.Compute(Run(healthy), [orphan]);
        var kept = PromotionPlan.Compute(Run(healthy, unparsable), [orphan]);

        Assert.Contains(closed, p => p.Key == "ecommerce/gone" && p.Actions.Single() is ClosePullRequest);
        Assert.DoesNotContain(kept, p => p.Actions.Any(a => a is ClosePullRequest));
    }

    [Fact]
    public void Canaries_are_planned_independently()
    {
        var pc = Evaluation(DecisionKind.Advance, (80, 20), (50, 50));
        var om = Evaluation(DecisionKind.Rollback, (50, 50), (100, 0), name: "order-management", reason: "v2 failing: 5xx rate 7% > 1%");

        var plans = PromotionPlan.Compute(Run(pc, om), [OpenPr(2, DecisionKind.Advance, (50, 50))]);

        Assert.IsType<RefreshPullRequest>(Assert.Single(plans.Single(p => p.Name == "product-catalog").Actions));
        Assert.Equal("order-management: revert to v1 (error rate on v2)",
            Assert.IsType<OpenPullRequest>(Assert.Single(plans.Single(p => p.Name == "order-management").Actions)).Proposal.Title);
    }
}
