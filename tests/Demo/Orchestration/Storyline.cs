using Scenarios.Live;

namespace Demo.Orchestration;

/// <summary>
/// What the demo plays: the canaries it watches, the traffic they get and the fault it injects. The story is over when
/// every canary's live weights are the expected final ones (checked against Argo CD's live VirtualService, not git).
/// </summary>
/// <param name="Name">Shown on screen.</param>
public sealed record Storyline(string Name, IReadOnlyList<CanaryScript> Canaries)
{
    /// <summary>
    /// The tutorial's story for <c>make demo</c>: product-catalog v2 stays healthy and goes 20 → 50 → 100;
    /// order-management v2 advances to 50, then answers 5xx and trips circuit breaking, and is rolled back to v1.
    /// </summary>
    public static Storyline Tutorial { get; } = new("tutorial", [
        new CanaryScript("product-catalog", RequestsPerSecond: 400, ExpectedFinalCanaryWeight: 100),
        new CanaryScript("order-management", RequestsPerSecond: 800, ExpectedFinalCanaryWeight: 0,
            Fault: FaultScript.CircuitBreaking(afterLiveSteps: 1, delay: TimeSpan.FromSeconds(6))),
    ]);

    /// <summary>
    /// The end-to-end test's story: order-management fails at once and is rolled back, product-catalog takes one step
    /// (20 → 50) and the story ends there.
    /// </summary>
    public static Storyline Brief { get; } = new("brief", [
        new CanaryScript("product-catalog", RequestsPerSecond: 500, ExpectedFinalCanaryWeight: 50),
        new CanaryScript("order-management", RequestsPerSecond: 400, ExpectedFinalCanaryWeight: 0,
            Fault: FaultScript.CircuitBreaking(afterLiveSteps: 0, delay: TimeSpan.FromSeconds(2))),
    ]);
}

/// <summary>One canary of the tutorial shop (stable v1, canary v2, both starting where the repository has them).</summary>
/// <param name="Service">Service name in namespace ecommerce, also the promotion policy's name.</param>
/// <param name="RequestsPerSecond">Traffic to the service, split by the live weights. The v2-vs-v1 comparison needs
/// roughly a thousand canary requests per (compressed) analysis window before it can call v2 no worse.</param>
/// <param name="ExpectedFinalCanaryWeight">v2's live weight when the story has ended as scripted.</param>
public sealed record CanaryScript(string Service, double RequestsPerSecond, int ExpectedFinalCanaryWeight, FaultScript? Fault = null);

/// <summary>
/// A scripted failure of the canary subset: once <paramref name="AfterLiveSteps"/> of the canary's bot pull requests
/// are live (0: from the start), after <paramref name="Delay"/>, v2 behaves as <paramref name="Failing"/> makes its
/// healthy behaviour; after <paramref name="EscalateAfter"/> more, as <paramref name="Escalated"/> makes it.
/// </summary>
public sealed record FaultScript(int AfterLiveSteps, TimeSpan Delay, string Description, Func<SubsetBehaviour, SubsetBehaviour> Failing,
    TimeSpan EscalateAfter, string EscalatedDescription, Func<SubsetBehaviour, SubsetBehaviour> Escalated)
{
    /// <summary>
    /// What the tutorial's circuit breaker does to a broken order-management v2: it answers 5xx (and slower), Envoy's
    /// outlier detector (5 consecutive 5xx) ejects it, and the small connection pool overflows (503 UO).
    /// </summary>
    public static FaultScript CircuitBreaking(int afterLiveSteps, TimeSpan delay) => new(
        afterLiveSteps, delay,
        "v2 starts answering 30 % 5xx",
        healthy => healthy with { ErrorRatio = 0.3, LatencyMs = healthy.LatencyMs * 1.5 },
        TimeSpan.FromSeconds(2),
        "Envoy ejects v2 (outlier detection) and its connection pool overflows (503 UO)",
        healthy => healthy with { ErrorRatio = 0.6, LatencyMs = healthy.LatencyMs * 2, Ejected = true, OverflowPerSecond = 25 });
}
