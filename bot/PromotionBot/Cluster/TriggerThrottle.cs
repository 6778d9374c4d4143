namespace PromotionBot.Cluster;

/// <summary>At most one immediate cycle per canary per <see cref="Interval"/>: an alert storm is one cycle, not hundreds.</summary>
public sealed class TriggerThrottle(TimeProvider time, TimeSpan interval)
{
    public static readonly TimeSpan DefaultInterval = TimeSpan.FromSeconds(10);

    private readonly Dictionary<string, DateTimeOffset> last = new(StringComparer.Ordinal);

    public TimeSpan Interval => interval;

    /// <summary>True (and remembered) when the canary may be triggered now.</summary>
    public bool TryAcquire(string canary)
    {
        var now = time.GetUtcNow();
        lock (last)
        {
            if (last.TryGetValue(canary, out var previous) && now - previous < interval)
            {
                return false;
            }

            last[canary] = now;
            return true;
        }
    }
}
