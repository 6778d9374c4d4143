namespace Scenarios.Generation;

/// <summary>Turns fractional per-step amounts into whole counts without drift: the emitted total is always floor(sum of amounts).</summary>
internal sealed class Accumulator
{
    private double _sum;
    private long _emitted;

    public long Take(double amount)
    {
        _sum += Math.Max(0, amount);
        var whole = (long)Math.Floor(_sum + 1e-9) - _emitted;
        _emitted += whole;
        return whole;
    }
}
