namespace PromotionBot.Analysis;

public enum DecisionKind
{
    Hold,
    Advance,
    Promote,
    Rollback,
}

/// <summary>Why a canary holds; kept apart so "no traffic" never looks like "metrics down".</summary>
public enum HoldReason
{
    None,
    NoTraffic,
    TooLittleTraffic,
    MetricsStale,
    MetricsUnavailable,
    BreachNotPersistent,
    AlreadyPromoted,
    RolledBack,
    CanaryStarting,
    ComparisonInconclusive,

    /// <summary>The sync gate found the measured step not live (or not live for a full window); see <see cref="Decision.NotLive"/>.</summary>
    NotLive,
}

/// <summary>
/// What drove a decision, typed so titles, bodies and JSON never have to parse the English reasons. A rollback names
/// every failure that forced it; a hold names what it waits for (or what it would have rolled back for at 0 %).
/// </summary>
public enum DecisionCause
{
    /// <summary>Canary 5xx ratio above the ceiling, sustained.</summary>
    ErrorRate,

    /// <summary>Canary p99 above the ceiling, sustained.</summary>
    Latency,

    /// <summary>Callers' Envoy ejected canary hosts.</summary>
    OutlierEjection,

    /// <summary>Connection-pool overflow (pending / connection overflow, UO responses) on the canary cluster.</summary>
    ConnectionPoolOverflow,

    /// <summary>The canary holds weight but its subset has no healthy endpoint (crash-looping or never ready), sustained.</summary>
    NoHealthyEndpoints,

    /// <summary>Callers' requests to the canary fail before reaching a canary pod (UH / UF / URX, connect failures), sustained.</summary>
    UpstreamFailures,

    /// <summary>Canary 5xx proportion significantly above the stable's plus the allowed increase, sustained.</summary>
    WorseThanStable,

    /// <summary>Canary p99 more than the allowed ratio above the stable's, sustained.</summary>
    LatencyWorseThanStable,

    /// <summary>Hold: Prometheus unreachable or answered with an error, or values missing.</summary>
    MetricsUnavailable,

    /// <summary>Hold: newest sample too old.</summary>
    MetricsStale,

    /// <summary>Hold: the canary served nothing in the window.</summary>
    NoTraffic,

    /// <summary>Hold: fewer canary requests than minRequests.</summary>
    TooLittleTraffic,

    /// <summary>Hold: a breach seen, not yet for failureThreshold intervals.</summary>
    BreachNotPersistent,

    /// <summary>Hold: the stable subset fails as badly, a shared cause.</summary>
    StableAsBad,

    /// <summary>Hold: the canary already gets 100 %.</summary>
    AlreadyPromoted,

    /// <summary>Hold: the canary gets 0 % in git.</summary>
    RolledBack,

    /// <summary>Hold: the canary subset appeared less than one interval ago; its endpoints may still be starting.</summary>
    CanaryStarting,

    /// <summary>Hold: the data cannot yet show, at the configured confidence, that the canary is no worse than the stable.</summary>
    ComparisonInconclusive,

    /// <summary>Hold: the sync gate found the measured step not live in the cluster (see <see cref="Decision.NotLive"/>).</summary>
    NotLive,
}

public enum CheckOutcome
{
    Pass,
    Fail,
    NoData,
}

/// <summary>One measured signal against its threshold, per subset.</summary>
public sealed record CheckResult(string Name, string Subset, double? Value, double? Threshold, CheckOutcome Result, string Detail);

/// <summary>The bot's verdict for one canary. <paramref name="Next"/> is null for hold.</summary>
/// <param name="Causes">Typed causes: for a rollback every failure that forced it, for a hold what it waits for; empty for advance and promote.</param>
/// <param name="Comparison">The v2-versus-v1 test, when it could be computed.</param>
public sealed record Decision(
    DecisionKind Kind,
    HoldReason HoldReason,
    IReadOnlyDictionary<string, int> Current,
    IReadOnlyDictionary<string, int>? Next,
    IReadOnlyList<string> Reasons,
    IReadOnlyList<CheckResult> Checks,
    IReadOnlyList<DecisionCause>? Causes = null,
    ComparisonResult? Comparison = null)
{
    public IReadOnlyList<DecisionCause> CauseList => Causes ?? [];

    public bool Has(DecisionCause cause) => CauseList.Contains(cause);

    /// <summary>Set when the sync gate turned an advance/promote into this hold.</summary>
    public Cluster.NotLiveCause? NotLive { get; init; }
}
