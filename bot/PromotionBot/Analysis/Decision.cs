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
    IReadOnlyList<CheckResult> Checks);
