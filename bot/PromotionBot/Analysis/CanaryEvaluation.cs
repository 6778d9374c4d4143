using PromotionBot.Manifest;
using PromotionBot.Metrics;
using PromotionBot.Policy;

namespace PromotionBot.Analysis;

/// <summary>Everything known about one canary after a cycle: policy, weights in git, signals, verdict — or why it could not be judged.</summary>
/// <param name="Name">Canary name (from the policy, or the policy file path when the policy itself is broken).</param>
/// <param name="Error">Set when the canary could not be judged (bad policy or manifest); Decision is then null.</param>
public sealed record CanaryEvaluation(
    string Name,
    CanaryPolicy? Policy,
    RouteWeights? Weights,
    CanarySignals? Signals,
    Decision? Decision,
    string? Error);

/// <summary>One analysis cycle over the whole repository.</summary>
public sealed record AnalysisRun(DateTimeOffset EvaluatedAt, IReadOnlyList<CanaryEvaluation> Canaries)
{
    /// <summary>Some canary could not be judged: a bad file, or no usable answer from Prometheus (exit code 1).</summary>
    public bool HasErrors => Canaries.Any(c => c.Error is not null || c.Signals?.Unavailable is not null);
}
