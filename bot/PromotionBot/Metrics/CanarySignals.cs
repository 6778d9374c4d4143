namespace PromotionBot.Metrics;

/// <summary>What Prometheus saw for one subset of one canary over the analysis window. Null means "no data".</summary>
/// <param name="Requests">Requests served (reporter=destination) in the window.</param>
/// <param name="Errors">5xx responses among them.</param>
/// <param name="P99LatencyMs">p99 latency over the window.</param>
/// <param name="PersistentErrorRate">Lowest 5xx ratio among the last FailureThreshold intervals: above the ceiling means the breach persisted.</param>
/// <param name="PersistentP99LatencyMs">Lowest p99 among the last FailureThreshold intervals.</param>
/// <param name="EjectionsActiveMax">Highest number of ejected hosts seen on this subset's Envoy cluster in the window.</param>
/// <param name="EjectionsEnforced">Ejections enforced on this subset's cluster in the window.</param>
/// <param name="PendingOverflow">upstream_rq_pending_overflow increase on this subset's cluster.</param>
/// <param name="ConnectionOverflow">upstream_cx_overflow increase on this subset's cluster.</param>
/// <param name="OverflowResponses">Responses flagged UO attributed to this subset.</param>
public sealed record SubsetSignals(
    string Subset,
    double? Requests,
    double? Errors,
    double? P99LatencyMs,
    double? PersistentErrorRate,
    double? PersistentP99LatencyMs,
    double? EjectionsActiveMax,
    double? EjectionsEnforced,
    double? PendingOverflow,
    double? ConnectionOverflow,
    double? OverflowResponses)
{
    public double? ErrorRate => Requests is > 0 && Errors is not null ? Errors / Requests : null;

    /// <summary>(5xx, requests) over the whole window ending at the evaluation time and at each earlier interval end (index k = k intervals back).</summary>
    public IReadOnlyList<WindowCounts> WindowHistory { get; init; } = [];

    /// <summary>Most healthy endpoints any caller's Envoy saw for this subset in the last failureThreshold intervals (membership_healthy).</summary>
    public double? HealthyEndpoints { get; init; }

    /// <summary>In how many of the last failureThreshold intervals the callers reported this subset's cluster at all (membership stats).</summary>
    public int MembershipIntervals { get; init; }

    /// <summary>Most endpoints (healthy or not) any caller saw in the last failureThreshold intervals (membership_total).</summary>
    public double? TotalEndpoints { get; init; }

    /// <summary>Requests the callers' Envoy could not send for lack of a healthy host (upstream_cx_none_healthy) in the window.</summary>
    public double? NoHealthyFailures { get; init; }

    /// <summary>Connection attempts to this subset that failed (upstream_cx_connect_fail) in the window.</summary>
    public double? ConnectFailures { get; init; }

    /// <summary>Lowest per-interval count of none-healthy + connect failures over the last failureThreshold intervals: above 0 means every interval had some.</summary>
    public double? SustainedFailuresBeforeReaching { get; init; }

    /// <summary>5xx and 503 answers the callers' Envoy recorded for this subset's cluster (upstream_rq_5xx / upstream_rq_503), local replies included.</summary>
    public double? UpstreamRq5xx { get; init; }

    public double? UpstreamRq503 { get; init; }

    /// <summary>True when this subset's cluster first showed up in the callers within the last interval: endpoints may still be starting.</summary>
    public bool AppearedWithinInterval { get; init; }
}

/// <summary>5xx and request counts over one look-back window.</summary>
public sealed record WindowCounts(double Errors, double Requests);

/// <summary>All signals for one canary at one evaluation time.</summary>
/// <param name="NewestSample">Time of the newest istio_requests_total sample for the service (any version); null when none in range.</param>
/// <param name="UnattributedOverflowResponses">UO responses for the service whose subset is unknown (client-side failures carry no destination_version).</param>
/// <param name="Unavailable">Set when Prometheus could not answer; every other field is then empty.</param>
/// <param name="Queries">The PromQL that produced these numbers, for the PR body.</param>
public sealed record CanarySignals(
    DateTimeOffset EvaluatedAt,
    DateTimeOffset? NewestSample,
    IReadOnlyDictionary<string, SubsetSignals> BySubset,
    double? UnattributedOverflowResponses,
    string? Unavailable,
    IReadOnlyList<string> Queries)
{
    public SubsetSignals? Of(string subset) => BySubset.GetValueOrDefault(subset);

    /// <summary>Requests of the service that the callers' proxies failed themselves without a subset (destination_version="unknown"), by response flags, in the window.</summary>
    public IReadOnlyDictionary<string, double> UnattributedFailuresByFlag { get; init; } = new Dictionary<string, double>();
}
