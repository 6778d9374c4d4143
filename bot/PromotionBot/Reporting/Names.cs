using PromotionBot.Analysis;

namespace PromotionBot.Reporting;

/// <summary>The lower-case names used in JSON, tables and PR titles.</summary>
public static class Names
{
    public static string Of(DecisionKind kind) => kind.ToString().ToLowerInvariant();

    public static string Of(CheckOutcome outcome) => outcome switch
    {
        CheckOutcome.Pass => "pass",
        CheckOutcome.Fail => "fail",
        _ => "no-data",
    };

    public static string Of(HoldReason reason) => reason switch
    {
        HoldReason.None => "none",
        HoldReason.NoTraffic => "no-traffic",
        HoldReason.TooLittleTraffic => "too-little-traffic",
        HoldReason.MetricsStale => "metrics-stale",
        HoldReason.MetricsUnavailable => "metrics-unavailable",
        HoldReason.BreachNotPersistent => "breach-not-persistent",
        HoldReason.AlreadyPromoted => "already-promoted",
        HoldReason.RolledBack => "rolled-back",
        HoldReason.CanaryStarting => "canary-starting",
        HoldReason.ComparisonInconclusive => "comparison-inconclusive",
        HoldReason.NotLive => "not-live",
        _ => reason.ToString().ToLowerInvariant(),
    };

    /// <summary>Kebab-case cause names used in JSON (<c>causes</c>) and logs.</summary>
    public static string Of(DecisionCause cause) => cause switch
    {
        DecisionCause.ErrorRate => "error-rate",
        DecisionCause.Latency => "latency",
        DecisionCause.OutlierEjection => "outlier-ejection",
        DecisionCause.ConnectionPoolOverflow => "overflow",
        DecisionCause.NoHealthyEndpoints => "no-healthy-endpoints",
        DecisionCause.UpstreamFailures => "upstream-failures",
        DecisionCause.WorseThanStable => "worse-than-stable",
        DecisionCause.LatencyWorseThanStable => "latency-worse-than-stable",
        DecisionCause.MetricsUnavailable => "metrics-unavailable",
        DecisionCause.MetricsStale => "metrics-stale",
        DecisionCause.NoTraffic => "no-traffic",
        DecisionCause.TooLittleTraffic => "too-little-traffic",
        DecisionCause.BreachNotPersistent => "breach-not-persistent",
        DecisionCause.StableAsBad => "stable-as-bad",
        DecisionCause.AlreadyPromoted => "already-promoted",
        DecisionCause.RolledBack => "rolled-back",
        DecisionCause.CanaryStarting => "canary-starting",
        DecisionCause.ComparisonInconclusive => "comparison-inconclusive",
        DecisionCause.NotLive => "not-live",
        _ => cause.ToString().ToLowerInvariant(),
    };

    public static string Of(ComparisonVerdict verdict) => verdict switch
    {
        ComparisonVerdict.NotWorse => "not-worse",
        ComparisonVerdict.Worse => "worse",
        _ => "inconclusive",
    };
}
