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
        HoldReason.NotLive => "not-live",
        _ => reason.ToString().ToLowerInvariant(),
    };
}
