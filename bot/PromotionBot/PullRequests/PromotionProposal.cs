using PromotionBot.Analysis;
using PromotionBot.Policy;

namespace PromotionBot.PullRequests;

/// <summary>What the bot proposes for one canary: the branch, title, labels and next weights of its PR.</summary>
public sealed record PromotionProposal(CanaryEvaluation Evaluation, CanaryPolicy Policy, Decision Decision)
{
    public const string BranchPrefix = "promotion/";

    /// <summary>
    /// One branch per canary whatever the decision: "at most one open bot PR per canary" then follows from GitHub's own
    /// rule (one open PR per head), and a restarted bot finds its PR by branch without any local state.
    /// </summary>
    public string Branch => BranchFor(Policy);

    public string Key => KeyFor(Policy);

    public bool IsRollback => Decision.Kind == DecisionKind.Rollback;

    /// <summary>Next weights in route order (stable first), as they will be written to the VirtualService.</summary>
    public IReadOnlyList<KeyValuePair<string, int>> NextWeights => OrderedWeights(Policy, Decision.Next!);

    public IReadOnlyList<KeyValuePair<string, int>> CurrentWeights => OrderedWeights(Policy, Decision.Current);

    public string Title => GitHubText.Title(Decision.Kind switch
    {
        DecisionKind.Rollback => $"{Policy.Name}: revert to {Policy.Stable} ({RollbackCause(Decision)} on {Policy.Canary})",
        DecisionKind.Promote => $"{Policy.Name}: promote {Policy.Canary} {Weight(Decision.Current, Policy.Canary)}% → 100%",
        _ => $"{Policy.Name}: shift {Policy.Canary} {Weight(Decision.Current, Policy.Canary)}% → {Weight(Decision.Next!, Policy.Canary)}%",
    });

    public IReadOnlyList<string> Labels =>
        [IsRollback ? "rollback" : "promotion", GitHubText.Label($"canary:{Policy.Name}")];

    public PullRequestMarker Marker(string baseSha) => new(Policy.Namespace, Policy.Name, Decision.Kind, NextWeights, baseSha);

    public static string BranchFor(CanaryPolicy policy) => $"{BranchPrefix}{policy.Namespace}/{policy.Name}";

    public static string KeyFor(CanaryPolicy policy) => $"{policy.Namespace}/{policy.Name}";

    /// <summary>Short cause of a rollback for titles, from the decision's typed causes.</summary>
    public static string RollbackCause(Decision decision)
    {
        var causes = decision.CauseList;
        var circuit = causes.Contains(DecisionCause.OutlierEjection) || causes.Contains(DecisionCause.ConnectionPoolOverflow);
        var errors = causes.Contains(DecisionCause.ErrorRate);
        var latency = causes.Contains(DecisionCause.Latency);
        return circuit ? "circuit breaking"
            : causes.Contains(DecisionCause.NoHealthyEndpoints) ? "no healthy endpoints"
            : causes.Contains(DecisionCause.UpstreamFailures) ? "requests failing before reaching it"
            : errors && latency ? "error rate and p99 latency"
            : errors ? "error rate"
            : latency ? "p99 latency"
            : causes.Contains(DecisionCause.WorseThanStable) ? "error rate worse than stable"
            : causes.Contains(DecisionCause.LatencyWorseThanStable) ? "p99 latency worse than stable"
            : "failing checks";
    }

    private static int Weight(IReadOnlyDictionary<string, int> weights, string subset) => weights.GetValueOrDefault(subset);

    private static IReadOnlyList<KeyValuePair<string, int>> OrderedWeights(CanaryPolicy policy, IReadOnlyDictionary<string, int> weights) =>
        weights.OrderBy(w => w.Key == policy.Stable ? 0 : w.Key == policy.Canary ? 1 : 2).ThenBy(w => w.Key, StringComparer.Ordinal).ToList();
}
