namespace Scenarios.Generation;

/// <summary>
/// What one proxy's Envoy counts for one cluster (label cluster_name), as current values: outlier ejections, circuit
/// breaking, endpoint membership and requests that failed before reaching a pod. The backfill records them per scrape
/// (<see cref="EnvoyClusterStats"/>); the live simulator renders them at each scrape.
/// </summary>
internal class EnvoyClusterCounters
{
    /// <summary>Hosts ejected now (outlier_detection.ejections_active).</summary>
    public int EjectionsActive { get; private set; }

    /// <summary>outlier_detection.ejections_enforced_total.</summary>
    public long EjectionsEnforced { get; private set; }

    /// <summary>upstream_rq_pending_overflow.</summary>
    public long PendingOverflow { get; private set; }

    /// <summary>upstream_cx_overflow (maxConnections reached); exported at 0 unless a scenario overflows connections.</summary>
    public long ConnectionOverflow { get; private set; }

    public int MembershipHealthy { get; private set; } = 1;

    public int MembershipTotal { get; private set; } = 1;

    /// <summary>upstream_cx_none_healthy.</summary>
    public long NoneHealthy { get; private set; }

    /// <summary>upstream_cx_connect_fail (each attempt).</summary>
    public long ConnectFail { get; private set; }

    /// <summary>upstream_rq with response_code="503".</summary>
    public long Rq503 { get; private set; }

    /// <summary>upstream_rq with response_code_class="5xx".</summary>
    public long Rq5xx { get; private set; }

    /// <summary>Sets how many hosts are ejected now; each newly ejected host counts as one enforced ejection.</summary>
    public void Eject(int hosts)
    {
        EjectionsEnforced += Math.Max(0, hosts - EjectionsActive);
        EjectionsActive = hosts;
    }

    /// <summary>Hosts that came back after their ejection time and were ejected again at once: enforced counts them again.</summary>
    public void EjectAgain(int hosts) => EjectionsEnforced += Math.Max(0, hosts);

    public void Overflow(long requests) => PendingOverflow += requests;

    public void ConnectionsOverflowed(long connections) => ConnectionOverflow += connections;

    public void Members(int healthy, int total)
    {
        MembershipHealthy = healthy;
        MembershipTotal = total;
    }

    /// <summary>Requests the caller answered itself: UH (no healthy host) and UF,URX (each after three connect attempts).</summary>
    public void FailLocally(long noHealthy, long connectFailed)
    {
        NoneHealthy += noHealthy;
        ConnectFail += 3 * connectFailed;
        Rq503 += noHealthy + connectFailed;
        Rq5xx += noHealthy + connectFailed;
    }

    /// <summary>5xx answers from the subset's pods, as the caller's cluster counts them.</summary>
    public void Answered5xx(long count, int code)
    {
        Rq5xx += count;
        if (code == 503)
        {
            Rq503 += count;
        }
    }

    /// <summary>The proxy restarted: its circuit-breaking counters start again at zero.</summary>
    public void Reset()
    {
        EjectionsEnforced = 0;
        PendingOverflow = 0;
        EjectionsActive = 0;
    }
}
