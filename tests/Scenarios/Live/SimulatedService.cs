using Scenarios.Generation;

namespace Scenarios.Live;

/// <summary>
/// One service's telemetry as counters that advance with the clock: both reporters of istio_requests_total and the
/// duration histogram, and the caller sidecar's Envoy cluster stats per subset. Labels come from the same builders as
/// the backfilled scenarios. Not thread-safe: <see cref="MeshSimulator"/> serialises every call.
/// </summary>
internal sealed class SimulatedService
{
    /// <summary>Istio's default outlier base ejection time: an ejected host comes back after it and, still failing, is ejected again.</summary>
    private static readonly TimeSpan BaseEjectionTime = TimeSpan.FromSeconds(30);

    // Crash-looping pods: most requests find no endpoint (UH); some reach one that just went away (UF, retried: URX).
    private const double ConnectFailShareWhenCrashed = 0.2;

    private readonly MeshService _spec;
    private readonly CanaryTarget _target;
    private readonly Pod _caller;
    private readonly List<SubsetState> _subsets;
    private readonly EnvoyClusterCounters _anySubset = new();
    private readonly string _anySubsetLabels;
    private RequestFlow? _overflow;
    private RequestFlow? _noHealthy;
    private RequestFlow? _connectFail;
    private DateTimeOffset _last;
    private IReadOnlyDictionary<string, int>? _weights;

    public SimulatedService(MeshService spec, DateTimeOffset start)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(spec.Subsets.Count, 1, nameof(spec));
        _spec = spec;
        _target = new CanaryTarget(spec.Namespace, spec.Name, spec.Port);
        _caller = new Pod(spec.Namespace, spec.Caller, "v1", spec.Caller);
        _subsets = spec.Subsets.Select(kv => new SubsetState(this, kv.Key, Validate(kv.Value))).ToList();
        _anySubsetLabels = ClusterLabels(_caller, _target.OutboundCluster(""));
        _last = start;
    }

    public string Name => _spec.Name;

    /// <summary>The split the last advance used.</summary>
    public IReadOnlyDictionary<string, int>? LastWeights => _weights;

    public SubsetBehaviour Behaviour(string subset) => Subset(subset).Behaviour;

    /// <summary>Counts up to <paramref name="now"/> with the old behaviour, then switches.</summary>
    public void SetBehaviour(string subset, SubsetBehaviour behaviour, DateTimeOffset now)
    {
        var state = Subset(subset);
        Advance(now, _weights);
        state.Behaviour = Validate(behaviour);
    }

    /// <summary>Counts the requests of (last advance, now] as split by <paramref name="weights"/> (the split now in force).</summary>
    public void Advance(DateTimeOffset now, IReadOnlyDictionary<string, int>? weights)
    {
        _weights = weights;
        var seconds = (now - _last).TotalSeconds;
        if (seconds <= 0)
        {
            return;
        }

        _last = now;
        var total = weights?.Values.Sum(w => Math.Max(0L, w)) ?? 0;
        foreach (var s in _subsets)
        {
            var share = total > 0
                ? Math.Max(0, weights!.GetValueOrDefault(s.Name)) / (double)total
                : ReferenceEquals(s, _subsets[0]) ? 1 : 0;
            Advance(s, share, seconds);
        }

        var members = _subsets.Sum(s => s.Cluster.MembershipTotal);
        _anySubset.Members(_subsets.Sum(s => s.Cluster.MembershipHealthy), members);
    }

    private void Advance(SubsetState s, double share, double seconds)
    {
        var b = s.Behaviour;
        var offered = s.Offered.Take(_spec.RequestsPerSecond * share * seconds);
        var rejected = share > 0 ? s.Overflow.Take(b.OverflowPerSecond * seconds) : 0;
        if (rejected > 0)
        {
            (_overflow ??= new RequestFlow(RequestLabels.SourceLocalFailure(_target, _caller, "UO"))).AddFixed(rejected, 0.3);
            s.Cluster.Overflow(rejected);
        }

        var remaining = Math.Max(0, offered - rejected);
        var elapsed = TimeSpan.FromSeconds(seconds);
        if (b.Ejected && share > 0)
        {
            // Ejected from the start of this step (the behaviour or the traffic began then); still failing, so ejected
            // again each time the base ejection time brings the hosts back.
            if (s.Cluster.EjectionsActive == 0)
            {
                s.Cluster.Eject(b.Pods);
                s.EjectedFor = TimeSpan.Zero;
            }

            s.EjectedFor += elapsed;
            for (; s.EjectedFor >= BaseEjectionTime; s.EjectedFor -= BaseEjectionTime)
            {
                s.Cluster.EjectAgain(b.Pods);
            }
        }
        else if (b.Ejected && s.Cluster.EjectionsActive > 0)
        {
            // No traffic to fail on (e.g. rolled back to 0 %): the hosts come back after their ejection time and stay.
            s.EjectedFor += elapsed;
            if (s.EjectedFor >= BaseEjectionTime)
            {
                s.Cluster.Eject(0);
            }
        }
        else
        {
            s.Cluster.Eject(0);
        }

        var ejected = s.Cluster.EjectionsActive > 0;
        var ready = b.Crashed ? 0 : b.Pods;
        s.Cluster.Members(ejected ? 0 : ready, ready);
        if (b.Crashed || ejected)
        {
            // No healthy host in the subset: the caller's Envoy answers the subset's share itself, no pod sees it.
            var connectFailed = b.Crashed ? Math.Min(remaining, s.ConnectFails.Take(remaining * ConnectFailShareWhenCrashed)) : 0;
            var noHealthy = remaining - connectFailed;
            if (noHealthy > 0)
            {
                (_noHealthy ??= new RequestFlow(RequestLabels.SourceLocalFailure(_target, _caller, "UH"))).AddFixed(noHealthy, 0.2);
            }

            if (connectFailed > 0)
            {
                (_connectFail ??= new RequestFlow(RequestLabels.SourceLocalFailure(_target, _caller, "UF,URX"))).AddFixed(connectFailed, 30);
            }

            s.Cluster.FailLocally(noHealthy, connectFailed);
            return;
        }

        var errors = Math.Min(remaining, s.Errors.Take(remaining * b.ErrorRatio));
        s.Serve(200, remaining - errors);
        s.Serve(b.ErrorCode, errors);
        if (b.ErrorCode >= 500)
        {
            s.Cluster.Answered5xx(errors, b.ErrorCode);
        }
    }

    /// <summary>Every series of this service as the scraped pods export them now.</summary>
    public void Write(Exposition e)
    {
        foreach (var flow in _subsets.SelectMany(s => s.Flows()).Concat(new[] { _overflow, _noHealthy, _connectFail }.OfType<RequestFlow>()))
        {
            e.Counter("istio_requests_total", flow.Labels, flow.Total);
            e.Histogram("istio_request_duration_milliseconds", flow.Labels, flow.CumulativeBuckets(), flow.SumMs);
        }

        foreach (var s in _subsets)
        {
            WriteCluster(e, s.ClusterLabels, s.Cluster);
            for (var i = 0; i < s.Pods.Count; i++)
            {
                WriteCluster(e, s.InboundLabels[i], s.Inbound);
            }
        }

        WriteCluster(e, _anySubsetLabels, _anySubset);
    }

    private static void WriteCluster(Exposition e, string labels, EnvoyClusterCounters c)
    {
        e.Gauge("envoy_cluster_outlier_detection_ejections_active", labels, c.EjectionsActive);
        e.Counter("envoy_cluster_outlier_detection_ejections_enforced_total", labels, c.EjectionsEnforced);
        e.Counter("envoy_cluster_upstream_rq_pending_overflow", labels, c.PendingOverflow);
        e.Counter("envoy_cluster_upstream_cx_overflow", labels, c.ConnectionOverflow);
        e.Gauge("envoy_cluster_membership_healthy", labels, c.MembershipHealthy);
        e.Gauge("envoy_cluster_membership_total", labels, c.MembershipTotal);
        e.Counter("envoy_cluster_upstream_cx_none_healthy", labels, c.NoneHealthy);
        e.Counter("envoy_cluster_upstream_cx_connect_fail", labels, c.ConnectFail);
        e.Counter("envoy_cluster_upstream_rq", labels + ",response_code=\"503\"", c.Rq503);
        e.Counter("envoy_cluster_upstream_rq", labels + ",response_code_class=\"5xx\"", c.Rq5xx);
    }

    private static string ClusterLabels(Pod pod, string clusterName) =>
        LabelSet.Render(pod.ScrapeLabels().Append(new("cluster_name", clusterName)));

    private static SubsetBehaviour Validate(SubsetBehaviour b)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(b.Pods, 1, nameof(b));
        if (!(b.ErrorRatio is >= 0 and <= 1) || !(b.LatencyMs >= 0) || !(b.OverflowPerSecond >= 0))
        {
            throw new ArgumentException($"invalid behaviour {b}: ErrorRatio in [0, 1], LatencyMs and OverflowPerSecond ≥ 0", nameof(b));
        }

        return b;
    }

    private SubsetState Subset(string subset) =>
        _subsets.FirstOrDefault(s => s.Name == subset)
        ?? throw new ArgumentException($"{_spec.Namespace}/{_spec.Name} has no subset '{subset}' (known: {string.Join(", ", _subsets.Select(s => s.Name))})", nameof(subset));

    /// <summary>One subset: its pods' destination-side flows, the caller's source-side flows to it, and the caller's cluster for it.</summary>
    private sealed class SubsetState
    {
        private readonly SimulatedService _service;
        private readonly Dictionary<(int Pod, int Code), RequestFlow> _destination = [];
        private readonly Dictionary<int, RequestFlow> _source = [];
        private int _nextPod;
        private SubsetBehaviour _behaviour = new();

        public SubsetState(SimulatedService service, string name, SubsetBehaviour behaviour)
        {
            _service = service;
            Name = name;
            ClusterLabels = SimulatedService.ClusterLabels(service._caller, service._target.OutboundCluster(name));
            Behaviour = behaviour;
        }

        public string Name { get; }

        public SubsetBehaviour Behaviour
        {
            get => _behaviour;
            set
            {
                _behaviour = value;
                // Pods are only ever added: a series, once exported, stays (scaled-down pods simply get no more requests).
                while (Pods.Count < value.Pods)
                {
                    var pod = new Pod(_service._target.Namespace, _service._target.Service, Name, $"{_service._target.Service}-{Name}", Pods.Count);
                    Pods.Add(pod);
                    InboundLabels.Add(SimulatedService.ClusterLabels(pod, $"inbound|{_service._target.Port}||"));
                }
            }
        }

        public List<Pod> Pods { get; } = [];

        public List<string> InboundLabels { get; } = [];

        public string ClusterLabels { get; }

        public EnvoyClusterCounters Cluster { get; } = new();

        /// <summary>The server pods' own inbound cluster (noise a loose cluster_name match would pick up).</summary>
        public EnvoyClusterCounters Inbound { get; } = new();

        public Accumulator Offered { get; } = new();

        public Accumulator Errors { get; } = new();

        public Accumulator Overflow { get; } = new();

        public Accumulator ConnectFails { get; } = new();

        public TimeSpan EjectedFor { get; set; }

        /// <summary>Requests answered by the pods with <paramref name="code"/>: spread over the current pods, reported by each pod and by the caller.</summary>
        public void Serve(int code, long count)
        {
            if (count <= 0)
            {
                return;
            }

            var latency = Behaviour.LatencyMs;
            var pods = Behaviour.Pods;
            // Round robin: each pod gets count / pods, the remainder goes to the next pods in turn.
            var remainder = (int)(count % pods);
            for (var i = 0; i < pods; i++)
            {
                var mine = (count / pods) + (((i - _nextPod + pods) % pods) < remainder ? 1 : 0);
                if (mine <= 0)
                {
                    continue;
                }

                var key = (i, code);
                if (!_destination.TryGetValue(key, out var flow))
                {
                    flow = _destination[key] = new RequestFlow(RequestLabels.Destination(_service._target, Name, code, _service._caller, Pods[i]));
                }

                flow.Add(mine, latency);
            }

            _nextPod = (_nextPod + remainder) % pods;
            if (!_source.TryGetValue(code, out var source))
            {
                source = _source[code] = new RequestFlow(RequestLabels.Source(_service._target, Name, code, _service._caller));
            }

            // The caller sees the server time plus a little mesh overhead.
            source.Add(count, latency + 1);
        }

        public IEnumerable<RequestFlow> Flows() => _destination.Values.Concat(_source.Values);
    }
}
