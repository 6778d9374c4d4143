using PromotionBot.Policy;

namespace PromotionBot.Metrics;

/// <summary>Where the analysis reads its signals: Istio/Envoy telemetry per canary, and the error-rate series for a PR's chart.</summary>
public interface ISignalSource
{
    /// <summary>Every canary's signals at <paramref name="at"/>; an unreachable source gives signals that carry the error (hold, never promote).</summary>
    Task<IReadOnlyDictionary<CanaryPolicy, CanarySignals>> ReadAsync(IReadOnlyList<CanaryPolicy> policies, DateTimeOffset at, CancellationToken ct);

    /// <summary>5xx ratio per subset at <paramref name="points"/> instants across the policy window ending at <paramref name="at"/>.</summary>
    Task<IReadOnlyDictionary<string, IReadOnlyList<SeriesPoint>>> ErrorRateSeriesAsync(CanaryPolicy policy, DateTimeOffset at, int points, CancellationToken ct);
}
