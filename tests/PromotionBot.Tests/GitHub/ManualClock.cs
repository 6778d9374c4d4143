namespace PromotionBot.Tests.GitHub;

/// <summary>A clock tests move by hand; timers still run on real time (waits in tests are tiny).</summary>
public sealed class ManualClock(DateTimeOffset start) : TimeProvider
{
    private DateTimeOffset _now = start;

    public override DateTimeOffset GetUtcNow() => _now;

    public void Advance(TimeSpan by) => _now += by;

    public void Set(DateTimeOffset now) => _now = now;
}
