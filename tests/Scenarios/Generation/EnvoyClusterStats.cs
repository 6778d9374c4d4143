namespace Scenarios.Generation;

/// <summary>
/// The cluster stats one proxy exports for one Envoy cluster, recorded per scrape into a <see cref="MetricsDump"/>.
/// Membership and failure stats exist only with <c>withHealth</c> (a subset that was never deployed has no cluster the bot could read).
/// </summary>
internal sealed class EnvoyClusterStats : EnvoyClusterCounters
{
    private readonly ScalarSeries? _healthySeries;
    private readonly ScalarSeries? _totalSeries;
    private readonly ScalarSeries? _noneHealthySeries;
    private readonly ScalarSeries? _connectFailSeries;
    private readonly ScalarSeries? _rq503Series;
    private readonly ScalarSeries? _rq5xxSeries;

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

    public void Record(long timeMs)
    {
        Active.Add(timeMs, EjectionsActive);
        Enforced.Add(timeMs, EjectionsEnforced);
        Pending.Add(timeMs, PendingOverflow);
        Connection.Add(timeMs, ConnectionOverflow);
        _healthySeries?.Add(timeMs, MembershipHealthy);
        _totalSeries?.Add(timeMs, MembershipTotal);
        _noneHealthySeries?.Add(timeMs, NoneHealthy);
        _connectFailSeries?.Add(timeMs, ConnectFail);
        _rq503Series?.Add(timeMs, Rq503);
        _rq5xxSeries?.Add(timeMs, Rq5xx);
    }
}
