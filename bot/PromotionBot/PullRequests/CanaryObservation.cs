using PromotionBot.Analysis;

namespace PromotionBot.PullRequests;

/// <summary>What one cycle saw of one canary, for metrics and the per-decision log line (no I/O, no secrets).</summary>
/// <param name="Canary">Key <c>namespace/name</c> (the policy file path when the policy could not be read).</param>
/// <param name="Decision">hold, advance, promote, rollback, or error when the canary could not be judged.</param>
/// <param name="Cause">Short why: the hold reason, the decision's first reason, or the error.</param>
/// <param name="Weights">Weights in git at the base commit, by subset; empty when unknown.</param>
/// <param name="Next">Weights the decision proposes; null for hold and error.</param>
/// <param name="ErrorRates">5xx ratio per subset over the analysis window; null where Prometheus had no data.</param>
public sealed record CanaryObservation(
    string Canary,
    string Decision,
    string Cause,
    IReadOnlyDictionary<string, int> Weights,
    IReadOnlyDictionary<string, int>? Next,
    IReadOnlyDictionary<string, double?> ErrorRates)
{
    public static IReadOnlyList<CanaryObservation> From(AnalysisRun run) => run.Canaries.Select(Of).ToList();

    private static CanaryObservation Of(CanaryEvaluation e)
    {
        var key = e.Policy is null ? e.Name : PromotionProposal.KeyFor(e.Policy);
        var weights = e.Weights?.Weights.ToDictionary(w => w.Subset, w => w.Weight) ?? [];
        var rates = e.Signals?.BySubset.ToDictionary(kv => kv.Key, kv => kv.Value.ErrorRate) ?? [];
        if (e.Decision is not { } d)
        {
            return new CanaryObservation(key, "error", e.Error ?? "not judged", weights, null, rates);
        }

        var cause = d.NotLive is { } notLive ? notLive.Text
            : d.Kind == DecisionKind.Hold
            ? PromotionPlan.HoldText(d.HoldReason)
            : d.Reasons.Count > 0 ? d.Reasons[0] : d.Kind.ToString().ToLowerInvariant();
        return new CanaryObservation(key, d.Kind.ToString().ToLowerInvariant(), cause, weights, d.Next, rates);
    }
}

/// <summary>A bot pull request open on GitHub when the cycle listed them: its canary key and proposed decision kind.</summary>
public sealed record OpenPullRequestKind(string Canary, string Kind);
