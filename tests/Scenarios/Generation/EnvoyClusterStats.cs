namespace Scenarios.Generation;

/// <summary>The four circuit-breaking stats one proxy exports for one Envoy cluster (label cluster_name).</summary>
internal sealed class EnvoyClusterStats
{
    private long _enforced;
    private long _pendingOverflow;
    private int _active;

    public EnvoyClusterStats(string labels, MetricsDump dump)
    {
        Active = new ScalarSeries(labels);
        Enforced = new ScalarSeries(labels);
        Pending = new ScalarSeries(labels);
        Connection = new ScalarSeries(labels);
        dump.EjectionsActive.Add(Active);
        dump.EjectionsEnforced.Add(Enforced);
        dump.PendingOverflow.Add(Pending);
        dump.ConnectionOverflow.Add(Connection);
    }

    public ScalarSeries Active { get; }

    public ScalarSeries Enforced { get; }

    public ScalarSeries Pending { get; }

    public ScalarSeries Connection { get; }

    /// <summary>Sets how many hosts are ejected now; each newly ejected host counts as one enforced ejection.</summary>
    public void Eject(int hosts)
    {
        _enforced += Math.Max(0, hosts - _active);
        _active = hosts;
    }

    public void Overflow(long requests) => _pendingOverflow += requests;

    public void Reset()
    {
        _enforced = 0;
        _pendingOverflow = 0;
        _active = 0;
    }

    public void Record(long timeMs)
    {
        Active.Add(timeMs, _active);
        Enforced.Add(timeMs, _enforced);
        Pending.Add(timeMs, _pendingOverflow);
        Connection.Add(timeMs, 0);
    }
}
