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

    /// <summary>The sync gate found the measured step not live (or not live for a full window); see <see cref="Decision.NotLive"/>.</summary>
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
public sealed record Decision(
    DecisionKind Kind,
    HoldReason HoldReason,
    IReadOnlyDictionary<string, int> Current,
    IReadOnlyDictionary<string, int>? Next,
    IReadOnlyList<string> Reasons,
    IReadOnlyList<CheckResult> Checks)
{
    /// <summary>Set when the sync gate turned an advance/promote into this hold.</summary>
    public Cluster.NotLiveCause? NotLive { get; init; }
}
