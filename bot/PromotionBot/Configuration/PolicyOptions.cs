namespace PromotionBot.Configuration;

/// <summary>How policies are read (Policy:* keys).</summary>
public sealed class PolicyOptions
{
    public const string SectionName = "Policy";

    /// <summary>
    /// Every policy duration (window, interval, maxStaleness) is divided by this when policies load: 20 turns a
    /// 10-minute window into 30 seconds. For demos and tests on compressed time; 1 (the default) in production.
    /// </summary>
    public double TimeScale { get; set; } = Policy.PolicyTimeScale.None;
}
