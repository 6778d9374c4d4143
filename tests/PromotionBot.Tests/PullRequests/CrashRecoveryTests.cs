using Xunit;
using static PromotionBot.Tests.PullRequests.PromotionPrometheusFixture;

namespace PromotionBot.Tests.PullRequests;

/// <summary>
/// Every multi-step action of a cycle, killed right after each of its writes in turn (git pushes and GitHub API calls
/// alike), then one more cycle with the same evidence: that cycle must converge (one open PR per canary, its branch
/// only that canary's weights, no branch without a PR, no repeated comment, a rollback never lost) and the cycle after
/// it must write nothing.
/// </summary>
[Collection(PromotionPrometheusCollection.Name)]
public sealed class CrashRecoveryTests(PromotionPrometheusFixture prometheus)
{
    private const string Labels = "POST issues/#/labels";
    private const string Status = "POST statuses/#";
    private const string CreatePr = "POST pulls";
    private const string Comment = "POST issues/#/comments";
    private const string ClosePr = "PATCH pulls/#";
    private const string UpdatePr = "PATCH pulls/#";

    /// <param name="Canary">Namespace of the canary, and its weights on main at the start.</param>
    /// <param name="Setup">Brings the world to just before the cycle under test (earlier cycles, people's actions).</param>
    /// <param name="Writes">What the cycle under test writes when nothing crashes, in order.</param>
    /// <param name="Converged">The open PR's marker after recovery (null: none open) and how many PRs exist in all.</param>
    /// <param name="Others">More canaries in the repository and the marker each must end with.</param>
    private sealed record Scenario(
        (string Ns, int V1, int V2) Canary,
        Func<CrashHarness, PromotionPrometheusFixture, Task> Setup,
        string[] Writes,
        string? Converged,
        int TotalPrs,
        (string Ns, int V1, int V2, string? Converged)[]? Others = null);

    private static string Push(string ns) => $"push {GitOpsSandbox.Branch(ns)}";

    private static readonly Dictionary<string, Scenario> Scenarios = new()
    {
        // Open: push the branch, create the PR, label it, set its status.
        ["open"] = new((Healthy, 80, 20), (_, _) => Task.CompletedTask,
            [Push(Healthy), CreatePr, Labels, Status], "decision=advance weights=v1:50,v2:50", 1),

        // An urgent rollback on a canary without a PR: the same four writes; it must never be lost.
        ["open-rollback"] = new((TurnsBad, 80, 20), (_, _) => Task.CompletedTask,
            [Push(TurnsBad), CreatePr, Labels, Status], "decision=rollback weights=v1:100,v2:0", 1),

        // Two canaries in one cycle: the rollback first, then the advance; a crash in either leaves the rest to the next cycle.
        ["two-canaries"] = new((TurnsBad, 80, 20), (_, _) => Task.CompletedTask,
            [Push(TurnsBad), CreatePr, Labels, Status, Push(Healthy), CreatePr, Labels, Status], "decision=rollback weights=v1:100,v2:0", 2,
            [(Healthy, 80, 20, "decision=advance weights=v1:50,v2:50")]),

        // Supersede: the advance PR gets status failure, a comment and is closed; its branch is reused for the rollback.
        ["supersede"] = new((TurnsBad, 80, 20), async (h, p) => await h.CycleAsync(p.BeforeTrouble),
            [Status, Comment, ClosePr, Push(TurnsBad), CreatePr, Labels, Status], "decision=rollback weights=v1:100,v2:0", 2),

        // Close: a person applied the proposed weights on main; comment, close, delete the branch.
        ["close-applied"] = new((Healthy, 50, 50), async (h, p) =>
            {
                await h.CycleAsync(p.At);
                h.Sandbox.Commit("main", "Promote by hand", new Dictionary<string, string> { [GitOpsSandbox.VsPath(Healthy)] = GitOpsSandbox.VirtualService(Healthy, 0, 100) });
            },
            [Comment, ClosePr, $"delete {GitOpsSandbox.Branch(Healthy)}"], null, 1),

        // Close: the canary's policy is gone from the repository.
        ["close-no-policy"] = new((Healthy, 80, 20), async (h, p) =>
            {
                await h.CycleAsync(p.At);
                h.Sandbox.Remove("main", "Retire the canary", GitOpsSandbox.PolicyPath(Healthy));
            },
            [Comment, ClosePr, $"delete {GitOpsSandbox.Branch(Healthy)}"], null, 1),

        // Close: a second PR on the bot's branch; the older one stays, the branch too.
        ["close-duplicate"] = new((Healthy, 80, 20), async (h, p) =>
            {
                await h.CycleAsync(p.At);
                var first = h.GitHub.PullRequests.Single();
                h.GitHub.CreatePullRequestDirectly(GitOpsSandbox.Branch(Healthy), "main", (string)first["title"]!, (string)first["body"]!);
            },
            [Comment, ClosePr], "decision=advance weights=v1:50,v2:50", 2),

        // Refresh after the base moved: the branch is rebuilt on the new base, then the body and the status follow.
        ["rebase"] = new((Healthy, 80, 20), async (h, p) =>
            {
                await h.CycleAsync(p.At);
                h.Sandbox.Commit("main", "Unrelated docs change", new Dictionary<string, string> { ["docs/notes.md"] = "notes\n" });
            },
            [Push(Healthy), UpdatePr, Status], "decision=advance weights=v1:50,v2:50", 1),

        // Reuse: a branch left by a crash between push and create; meanwhile a person moved main to 50/50, so the
        // next proposal (promote) rewrites that branch before opening its PR.
        ["reuse"] = new((Healthy, 80, 20), async (h, p) =>
            {
                var crashed = await h.CycleAsync(p.At, crashAfter: 1);
                Assert.Equal([Push(Healthy)], crashed.Writes);
                h.Sandbox.Commit("main", "50/50 by hand", new Dictionary<string, string> { [GitOpsSandbox.VsPath(Healthy)] = GitOpsSandbox.VirtualService(Healthy, 50, 50) });
            },
            [Push(Healthy), CreatePr, Labels, Status], "decision=promote weights=v1:0,v2:100", 1),
    };

    public static TheoryData<string, int> Cases()
    {
        var cases = new TheoryData<string, int>();
        foreach (var (name, scenario) in Scenarios)
        {
            for (var after = 1; after <= scenario.Writes.Length; after++)
            {
                cases.Add(name, after);
            }
        }

        return cases;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Crash_after_each_write_converges_on_the_next_cycle(string scenario, int crashAfter)
    {
        var s = Scenarios[scenario];
        var at = prometheus.At;
        await using var h = await CrashHarness.CreateAsync(prometheus, [s.Canary, .. (s.Others ?? []).Select(o => (o.Ns, o.V1, o.V2))]);
        var converged = (s.Others ?? []).ToDictionary(o => o.Ns, o => o.Converged);
        converged[s.Canary.Ns] = s.Converged;
        await s.Setup(h, prometheus);

        var crashed = await h.CycleAsync(at, crashAfter);

        var context = $"{scenario}, crash after '{s.Writes[crashAfter - 1]}' (write {crashAfter} of {s.Writes.Length})";
        Assert.True(s.Writes.Take(crashAfter).SequenceEqual(crashed.Writes),
            $"{context}: the cycle wrote {CrashHarness.Describe(crashed.Writes)}\n{crashed.Output}");

        var recovery = await h.CycleAsync(at);

        Assert.True(recovery.Exit == 0, $"{context}: recovery cycle failed\n{recovery.Output}");
        h.AssertConverged(converged, $"{context}, after recovery wrote {CrashHarness.Describe(recovery.Writes)}");
        Assert.Equal(s.TotalPrs, h.GitHub.PullRequests.Count);

        var steady = await h.CycleAsync(at);

        Assert.True(steady.Exit == 0 && steady.Writes.Count == 0, $"{context}: the cycle after recovery wrote {CrashHarness.Describe(steady.Writes)}\n{steady.Output}");
    }
}
