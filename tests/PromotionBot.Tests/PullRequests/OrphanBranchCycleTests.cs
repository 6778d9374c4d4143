using Xunit;
using static PromotionBot.Tests.PullRequests.PromotionPrometheusFixture;

namespace PromotionBot.Tests.PullRequests;

/// <summary>
/// Bot branches without an open PR, end to end: the bot deletes the ones it left behind and nobody needs, and leaves
/// alone merged branches, branches a person committed on, and branches of PRs a person closed.
/// </summary>
[Collection(PromotionPrometheusCollection.Name)]
public sealed class OrphanBranchCycleTests(PromotionPrometheusFixture prometheus)
{
    private static readonly string Branch = GitOpsSandbox.Branch(Healthy);

    private static Dictionary<string, string> Weights(int v1, int v2) => new() { [GitOpsSandbox.VsPath(Healthy)] = GitOpsSandbox.VirtualService(Healthy, v1, v2) };

    [Fact]
    public async Task A_pushed_branch_whose_pr_was_never_opened_is_deleted_once_the_canary_needs_no_pr()
    {
        await using var h = await CrashHarness.CreateAsync(prometheus, (Healthy, 80, 20));
        Assert.Equal([$"push {Branch}"], (await h.CycleAsync(prometheus.At, crashAfter: 1)).Writes);
        h.Sandbox.Commit("main", "Promote by hand", Weights(0, 100));

        var run = await h.CycleAsync(prometheus.At);

        Assert.True(run.Exit == 0, run.Output);
        Assert.Equal([$"delete {Branch}"], run.Writes);
        Assert.Contains("deleted branch promotion/pr-healthy/product-catalog (no pull request was opened for its head)", run.Output, StringComparison.Ordinal);
        Assert.Empty(h.GitHub.PullRequests);
        Assert.Empty(h.Sandbox.Branches());
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_merged_branch_is_left_alone(bool squash)
    {
        await using var h = await CrashHarness.CreateAsync(prometheus, (Healthy, 50, 50));
        await h.CycleAsync(prometheus.At);
        var head = h.Sandbox.Head(Branch);
        h.GitHub.MergePullRequestDirectly(1, squash);

        var run = await h.CycleAsync(prometheus.At);

        Assert.True(run.Exit == 0, run.Output);
        Assert.Empty(run.Writes);
        Assert.Equal(head, h.Sandbox.Head(Branch));
        Assert.Matches(@"hold\s+nothing", run.Output);
    }

    [Fact]
    public async Task A_branch_with_a_persons_commit_is_left_alone()
    {
        await using var h = await CrashHarness.CreateAsync(prometheus, (Healthy, 80, 20));
        await h.CycleAsync(prometheus.At, crashAfter: 1);
        var human = h.Sandbox.Commit(Branch, "Keep this experiment", new Dictionary<string, string> { ["docs/experiment.md"] = "mine\n" });
        h.Sandbox.Commit("main", "Promote by hand", Weights(0, 100));

        var run = await h.CycleAsync(prometheus.At);

        Assert.True(run.Exit == 0, run.Output);
        Assert.Empty(run.Writes);
        Assert.Equal(human, h.Sandbox.Head(Branch));
    }

    [Fact]
    public async Task The_branch_of_a_pr_a_person_closed_stays_so_they_can_reopen_it()
    {
        await using var h = await CrashHarness.CreateAsync(prometheus, (Healthy, 80, 20));
        await h.CycleAsync(prometheus.At);
        var head = h.Sandbox.Head(Branch);
        h.GitHub.ClosePullRequestDirectly(1);

        var declined = await h.CycleAsync(prometheus.At);
        h.Sandbox.Commit("main", "Promote by hand", Weights(0, 100));
        var holding = await h.CycleAsync(prometheus.At);

        Assert.True(declined.Exit == 0 && holding.Exit == 0, declined.Output + holding.Output);
        Assert.Empty(declined.Writes);
        Assert.Empty(holding.Writes);
        Assert.Equal(head, h.Sandbox.Head(Branch));
    }

    [Fact]
    public async Task A_branch_left_by_a_crash_after_closing_is_deleted_and_a_dry_run_only_says_so()
    {
        await using var h = await CrashHarness.CreateAsync(prometheus, (Healthy, 50, 50));
        await h.CycleAsync(prometheus.At);
        h.Sandbox.Commit("main", "Promote by hand", Weights(0, 100));
        Assert.Equal(["POST issues/#/comments", "PATCH pulls/#"], (await h.CycleAsync(prometheus.At, crashAfter: 2)).Writes);

        var preview = await h.CycleAsync(prometheus.At, dryRun: true);
        Assert.Empty(preview.Writes);
        Assert.Contains("would delete branch promotion/pr-healthy/product-catalog", preview.Output, StringComparison.Ordinal);
        Assert.NotNull(h.Sandbox.Head(Branch));

        var run = await h.CycleAsync(prometheus.At);

        Assert.Equal([$"delete {Branch}"], run.Writes);
        Assert.Contains("deleted branch promotion/pr-healthy/product-catalog (its pull request #1 was closed by the bot)", run.Output, StringComparison.Ordinal);
        Assert.Single(h.GitHub.CommentsOn(1));
    }
}
