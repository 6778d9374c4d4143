namespace Scenarios.Generation;

/// <summary>
/// Simulates a <see cref="ScenarioSet"/> at a 15 s scrape interval into Istio-shaped series: both reporters of
/// istio_requests_total / istio_request_duration_milliseconds, and the caller sidecars' Envoy cluster stats.
/// </summary>
internal static class IstioTelemetryGenerator
{
    public static readonly TimeSpan ScrapeInterval = TimeSpan.FromSeconds(15);

    // Scrapes land a few seconds before each 15 s boundary, so the newest sample is never exactly at the evaluation time.
    private static readonly TimeSpan ScrapePhase = TimeSpan.FromSeconds(3);

    public static MetricsDump Generate(ScenarioSet set)
    {
        var dump = new MetricsDump();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var service in set.AllServices())
        {
            Simulate(service, dump, seen);
        }

        return dump;
    }

    private static void Simulate(CanaryScenario s, MetricsDump dump, HashSet<string> seen)
    {
        var t = s.Target;
        var caller = new Pod(t.Namespace, s.CallerWorkload, s.CallerVersion, s.CallerWorkload);
        var servers = s.Subsets.ToDictionary(v => v, v => new Pod(t.Namespace, t.Service, v, $"{t.Service}-{v}"), StringComparer.Ordinal);

        var flows = new List<RequestFlow>();
        var destination = new Dictionary<(string Subset, int Code), RequestFlow>();
        var source = new Dictionary<(string Subset, int Code), RequestFlow>();
        RequestFlow? overflow = null;
        RequestFlow? noHealthy = null;
        RequestFlow? connectFail = null;
        foreach (var subset in s.Subsets)
        {
            var codes = s.AllTraffic(subset).Where(x => x.ErrorRatio > 0).Select(x => x.ErrorCode).Prepend(200).Distinct();
            foreach (var code in codes)
            {
                destination[(subset, code)] = NewFlow(flows, dump, RequestLabels.Destination(t, subset, code, caller, servers[subset]));
                source[(subset, code)] = NewFlow(flows, dump, RequestLabels.Source(t, subset, code, caller));
            }
        }

        if (s.Subsets.SelectMany(s.AllTraffic).Any(x => x.OverflowPerSecond > 0))
        {
            overflow = NewFlow(flows, dump, RequestLabels.SourceLocalFailure(t, caller, "UO"));
        }

        // Crashed or never-ready pods: the caller's proxy answers 503 itself, without peer metadata (destination_version "unknown").
        if (s.Subsets.SelectMany(s.AllTraffic).Any(x => x.NoHealthyPerSecond > 0))
        {
            noHealthy = NewFlow(flows, dump, RequestLabels.SourceLocalFailure(t, caller, "UH"));
        }

        if (s.Subsets.SelectMany(s.AllTraffic).Any(x => x.ConnectFailPerSecond > 0))
        {
            connectFail = NewFlow(flows, dump, RequestLabels.SourceLocalFailure(t, caller, "UF,URX"));
        }

        // Caller-side clusters: both subsets (the DestinationRule defines v2 even before it has pods), the subset-less
        // cluster, and unrelated ones. Server-side inbound clusters are noise a loose regex could match.
        var clusters = new Dictionary<string, EnvoyClusterStats>(StringComparer.Ordinal);
        var allClusters = new List<EnvoyClusterStats>();
        foreach (var (name, deployed) in new[] { (t.OutboundCluster(t.Stable), servers.ContainsKey(t.Stable)), (t.OutboundCluster(t.Canary), servers.ContainsKey(t.Canary)), (t.OutboundCluster(""), true) })
        {
            clusters[name] = NewCluster(allClusters, dump, seen, name, caller, deployed)!;
        }

        foreach (var name in new[] { "outbound|15012||istiod.istio-system.svc.cluster.local", "PassthroughCluster" })
        {
            _ = NewCluster(allClusters, dump, seen, name, caller, withHealth: true);
        }

        var inbound = servers.ToDictionary(p => p.Key, p => NewCluster(allClusters, dump, seen, $"inbound|{t.Port}||", p.Value, withHealth: true)!, StringComparer.Ordinal);

        var accumulators = s.Subsets.ToDictionary(v => v, _ => (Requests: new Accumulator(), Errors: new Accumulator(), Overflow: new Accumulator(), NoHealthy: new Accumulator(), ConnectFail: new Accumulator()), StringComparer.Ordinal);
        var times = SampleTimes(s).ToList();
        for (var i = 0; i < times.Count; i++)
        {
            var now = times[i];
            if (i > 0)
            {
                var previous = times[i - 1];
                foreach (var (subset, ago) in s.Restarts)
                {
                    var restart = s.At - ago;
                    if (restart > previous && restart <= now && servers.ContainsKey(subset))
                    {
                        foreach (var flow in destination.Where(d => d.Key.Subset == subset))
                        {
                            flow.Value.Reset();
                        }

                        inbound[subset].Reset();
                    }
                }

                // The interval (previous, now] behaves as the scenario says at its midpoint.
                var midAgo = s.At - (previous + (now - previous) / 2);
                foreach (var subset in s.Subsets)
                {
                    var traffic = s.TrafficAt(subset, midAgo);
                    var acc = accumulators[subset];
                    var seconds = (now - previous).TotalSeconds;
                    var served = acc.Requests.Take(traffic.RequestsPerSecond * seconds);
                    var errors = Math.Min(served, acc.Errors.Take(served * traffic.ErrorRatio));
                    Serve(destination, source, subset, 200, served - errors, traffic.TypicalLatencyMs);
                    Serve(destination, source, subset, traffic.ErrorCode, errors, traffic.TypicalLatencyMs);

                    var rejected = acc.Overflow.Take(traffic.OverflowPerSecond * seconds);
                    overflow?.AddFixed(rejected, 0.3);
                    clusters[t.OutboundCluster(subset)].Overflow(rejected);
                    var cluster = clusters[t.OutboundCluster(subset)];
                    cluster.Eject(traffic.EjectedHosts);
                    cluster.Answered5xx(errors, traffic.ErrorCode);

                    var uh = acc.NoHealthy.Take(traffic.NoHealthyPerSecond * seconds);
                    var uf = acc.ConnectFail.Take(traffic.ConnectFailPerSecond * seconds);
                    noHealthy?.AddFixed(uh, 0.2);
                    connectFail?.AddFixed(uf, 30);
                    cluster.FailLocally(uh, uf);

                    // Crash-looping pods pass readiness now and then; not-ready pods are not in EDS at all.
                    var members = traffic.Flapping ? (i % 4 == 0 ? traffic.Endpoints : 0) : traffic.Endpoints;
                    var healthy = traffic.Flapping || traffic.HealthyEndpoints < 0 ? members : traffic.HealthyEndpoints;
                    cluster.Members(healthy, members);
                }
            }

            var ms = now.ToUnixTimeMilliseconds();
            foreach (var flow in flows)
            {
                flow.Record(ms);
            }

            foreach (var cluster in allClusters)
            {
                cluster.Record(ms);
            }
        }
    }

    private static void Serve(Dictionary<(string, int), RequestFlow> destination, Dictionary<(string, int), RequestFlow> source,
        string subset, int code, long count, double typicalMs)
    {
        if (count == 0)
        {
            return;
        }

        destination[(subset, code)].Add(count, typicalMs);
        // The caller sees the server time plus a little mesh overhead.
        source[(subset, code)].Add(count, typicalMs + 1);
    }

    /// <summary>Scrape times from pod start to stop (inclusive), ascending.</summary>
    internal static IEnumerable<DateTimeOffset> SampleTimes(CanaryScenario s)
    {
        var first = s.At - s.StartsAgo;
        var last = s.At - s.StopsAgo;
        var times = new List<DateTimeOffset>();
        for (var t = s.At - ScrapePhase; t >= first; t -= ScrapeInterval)
        {
            if (t <= last)
            {
                times.Add(t);
            }
        }

        times.Reverse();
        return times;
    }

    private static RequestFlow NewFlow(List<RequestFlow> flows, MetricsDump dump, string labels)
    {
        var flow = new RequestFlow(labels);
        flows.Add(flow);
        dump.Requests.Add(flow.Counter);
        dump.Durations.Add(flow.Histogram);
        return flow;
    }

    private static EnvoyClusterStats? NewCluster(List<EnvoyClusterStats> all, MetricsDump dump, HashSet<string> seen, string clusterName, Pod pod, bool withHealth)
    {
        var labels = LabelSet.Render(pod.ScrapeLabels().Append(new("cluster_name", clusterName)));
        if (!seen.Add(labels))
        {
            return null;
        }

        var stats = new EnvoyClusterStats(labels, dump, withHealth);
        all.Add(stats);
        return stats;
    }
}
