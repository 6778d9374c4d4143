using PromotionBot.Analysis;
using PromotionBot.PullRequests;
using Xunit;
using static PromotionBot.Tests.PullRequests.Canaries;

namespace PromotionBot.Tests.PullRequests;

/// <summary>How the plan reconciles a bot branch left without an open PR (after a crash): reuse, keep or delete.</summary>
public sealed class OrphanPlanTests
{
    private static OrphanBranch Orphan(string name = "product-catalog") =>
        new($"promotion/ecommerce/{name}", $"ecommerce/{name}", new string('a', 40), "its pull request #4 was closed by the bot");

    [Fact]
    public void Orphan_is_reused_when_the_canary_needs_a_new_pr()
    {
        var plan = Assert.Single(PromotionPlan.Compute(Run(Evaluation(DecisionKind.Rollback, (80, 20), (100, 0))), [], [Orphan()]));

        var open = Assert.IsType<OpenPullRequest>(Assert.Single(plan.Actions));
        Assert.Equal(Orphan().Branch, open.Proposal.Branch);
        Assert.Contains("reusing branch promotion/ecommerce/product-catalog", plan.Reason, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(HoldReason.AlreadyPromoted)]
    [InlineData(HoldReason.TooLittleTraffic)]
    [InlineData(HoldReason.BreachNotPersistent)]
    public void Orphan_is_deleted_when_the_canary_holds_for_a_known_reason(HoldReason hold)
    {
        var plan = Assert.Single(PromotionPlan.Compute(Run(Evaluation(DecisionKind.Hold, (0, 100), hold: hold)), [], [Orphan()]));

        var delete = Assert.IsType<DeleteOrphanBranch>(Assert.Single(plan.Actions));
        Assert.Equal(Orphan(), delete.Orphan);
        Assert.Contains("closed by the bot", delete.Reason, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(HoldReason.MetricsUnavailable)]
    [InlineData(HoldReason.MetricsStale)]
    public void Orphan_is_kept_while_the_metrics_cannot_tell(HoldReason hold)
    {
        var plan = Assert.Single(PromotionPlan.Compute(Run(Evaluation(DecisionKind.Hold, (80, 20), hold: hold)), [], [Orphan()]));

        Assert.Empty(plan.Actions);
        Assert.Contains("kept branch promotion/ecommerce/product-catalog", plan.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Orphan_is_kept_while_the_canary_cannot_be_judged()
    {
        var broken = Evaluation(DecisionKind.Advance, (80, 20)) with { Decision = null, Error = "virtualservice.yaml:12:15: weight is not an integer" };

        var plan = Assert.Single(PromotionPlan.Compute(Run(broken), [], [Orphan()]));

        Assert.Empty(plan.Actions);
    }

    [Fact]
    public void A_branch_with_an_open_pr_is_never_treated_as_orphan()
    {
        var pr = OpenPr(7, DecisionKind.Advance, (0, 100));

        var plan = Assert.Single(PromotionPlan.Compute(Run(Evaluation(DecisionKind.Hold, (80, 20), hold: HoldReason.TooLittleTraffic)), [pr], [Orphan()]));

        Assert.DoesNotContain(plan.Actions, a => a is DeleteOrphanBranch);
    }

    [Fact]
    public void Orphan_of_a_canary_without_policy_is_deleted_only_when_every_policy_parsed()
    {
        var gone = Orphan("gone");
        var healthy = Evaluation(DecisionKind.Hold, (80, 20), hold: HoldReason.NoTraffic);
        var unparsable = new CanaryEvaluation("apps/x/promotion-policy.yaml", null, null, null, null, "apps/x/promotion-policy.yaml:3:1: bad");

        var deleted = PromotionPlan.Compute(Run(healthy), [], [gone]);
        var kept = PromotionPlan.Compute(Run(healthy, unparsable), [], [gone]);

        var plan = Assert.Single(deleted, p => p.Key == "ecommerce/gone");
        Assert.Equal("gone", plan.Name);
        Assert.Equal(gone, Assert.IsType<DeleteOrphanBranch>(Assert.Single(plan.Actions)).Orphan);
        Assert.DoesNotContain(kept, p => p.Actions.Any(a => a is DeleteOrphanBranch));
    }

    [Fact]
    public void Closes_carry_their_reason_for_the_comment_marker()
    {
        var advance = OpenPr(3, DecisionKind.Advance, (50, 50));
        var duplicate = OpenPr(8, DecisionKind.Advance, (50, 50));

        var superseded = Assert.Single(PromotionPlan.Compute(Run(Evaluation(DecisionKind.Rollback, (80, 20), (100, 0))), [advance])).Actions;
        var applied = Assert.Single(PromotionPlan.Compute(Run(Evaluation(DecisionKind.Hold, (50, 50), hold: HoldReason.TooLittleTraffic)), [advance])).Actions;
        var duplicates = Assert.Single(PromotionPlan.Compute(Run(Evaluation(DecisionKind.Advance, (80, 20), (50, 50))), [advance, duplicate])).Actions;

        Assert.Equal(CloseReason.Superseded, superseded.OfType<ClosePullRequest>().Single().Reason);
        Assert.Equal(CloseReason.Applied, applied.OfType<ClosePullRequest>().Single().Reason);
        Assert.Equal(CloseReason.Duplicate, duplicates.OfType<ClosePullRequest>().Single().Reason);
    }
}
