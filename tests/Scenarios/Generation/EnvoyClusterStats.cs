namespace Scenarios.Generation;

/// <summary>
/// The cluster stats one proxy exports for one Envoy cluster (label cluster_name): circuit breaking, endpoint membership
/// and requests that failed before reaching a pod. Membership and failure stats exist only with <c>withHealth</c>
/// (a subset that was never deployed has no cluster the bot could read).
/// </summary>
internal sealed class EnvoyClusterStats
{
    private readonly ScalarSeries? _healthySeries;
    private readonly ScalarSeries? _totalSeries;
    private readonly ScalarSeries? _noneHealthySeries;
    private readonly ScalarSeries? _connectFailSeries;
    private readonly ScalarSeries? _rq503Series;
    private readonly ScalarSeries? _rq5xxSeries;
    private long _enforced;
    private long _pendingOverflow;
    private int _active;
    private int _healthy = 1;
    private int _total = 1;
    private long _noneHealthy;
    private long _connectFail;
    private long _rq503;
    private long _rq5xx;

    public EnvoyClusterStats(string labels, MetricsDump dump, bool withHealth)
    {
        Active = new ScalarSeries(labels);
        Enforced = new ScalarSeries(labels);
        Pending = new ScalarSeries(labels);
        Connection = new ScalarSeries(labels);
        dump.EjectionsActive.Add(Active);
        dump.EjectionsEnforced.Add(Enforced);
        dump.PendingOverflow.Add(Pending);
        dump.ConnectionOverflow.Add(Connection);
        if (withHealth)
        {
            dump.MembershipHealthy.Add(_healthySeries = new ScalarSeries(labels));
            dump.MembershipTotal.Add(_totalSeries = new ScalarSeries(labels));
            dump.NoneHealthy.Add(_noneHealthySeries = new ScalarSeries(labels));
            dump.ConnectFail.Add(_connectFailSeries = new ScalarSeries(labels));
            dump.UpstreamRq.Add(_rq503Series = new ScalarSeries(labels + ",response_code=\"503\""));
            dump.UpstreamRq.Add(_rq5xxSeries = new ScalarSeries(labels + ",response_code_class=\"5xx\""));
        }
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

    public void Members(int healthy, int total)
    {
        _healthy = healthy;
        _total = total;
    }

    /// <summary>Requests the caller answered itself: UH (no healthy host) and UF,URX (each after three connect attempts).</summary>
    public void FailLocally(long noHealthy, long connectFailed)
    {
        _noneHealthy += noHealthy;
        _connectFail += 3 * connectFailed;
        _rq503 += noHealthy + connectFailed;
        _rq5xx += noHealthy + connectFailed;
    }

    /// <summary>5xx answers from the subset's pods, as the caller's cluster counts them.</summary>
    public void Answered5xx(long count, int code)
    {
        _rq5xx += count;
        if (code == 503)
        {
            _rq503 += count;
        }
    }

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
        _healthySeries?.Add(timeMs, _healthy);
        _totalSeries?.Add(timeMs, _total);
        _noneHealthySeries?.Add(timeMs, _noneHealthy);
        _connectFailSeries?.Add(timeMs, _connectFail);
        _rq503Series?.Add(timeMs, _rq503);
        _rq5xxSeries?.Add(timeMs, _rq5xx);
    }
}
