using Demo.Orchestration;
using Scenarios.Live;

namespace DetectionLatency;

/// <summary>
/// A fault the benchmark injects into a canary's v2 subset with one <see cref="MeshSimulator.SetBehaviour"/> call (the
/// onset): <paramref name="Failing"/> turns the subset's healthy behaviour into the failing one. <paramref name="Timeout"/>
/// is how long a trial waits for the rollback pull request before it counts as missed.
/// </summary>
public sealed record FaultKind(string Name, string Service, string Description, Func<SubsetBehaviour, SubsetBehaviour> Failing, TimeSpan Timeout)
{
    /// <summary>
    /// order-management v2 trips circuit breaking at once: Envoy ejects it (outlier detection) and the connection pool
    /// overflows (503 UO) — the demo's escalated fault. The bot rolls back on the first cycle that sees it.
    /// </summary>
    public static FaultKind CircuitBreaking { get; } = new("circuit-breaking", "order-management",
        "outlier ejection + connection-pool overflow",
        FaultScript.CircuitBreaking(afterLiveSteps: 0, delay: TimeSpan.Zero).Escalated,
        TimeSpan.FromMinutes(4));

    /// <summary>
    /// product-catalog v2 answers 30 % 5xx (latency unchanged): the sustained-breach path, a rollback only once every
    /// one of the last failureThreshold (3) intervals of 1m is above the 1 % ceiling.
    /// </summary>
    public static FaultKind ErrorRate { get; } = new("error-rate", "product-catalog",
        "30 % 5xx",
        healthy => healthy with { ErrorRatio = 0.3 },
        TimeSpan.FromMinutes(10));

    public static IReadOnlyList<FaultKind> All { get; } = [CircuitBreaking, ErrorRate];
}
