namespace PromotionBot.Tests.Cluster;

/// <summary>A clock the webhook tests move by hand while timers run on real time (a FakeTimeProvider would stall the host's own timers).</summary>
public sealed class ManualClock(DateTimeOffset start) : TimeProvider
{
    private DateTimeOffset _now = start;

    public override DateTimeOffset GetUtcNow() => _now;

    public void Advance(TimeSpan by) => _now += by;
}
