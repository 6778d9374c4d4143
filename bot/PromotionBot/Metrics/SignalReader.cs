using PromotionBot.Policy;

namespace PromotionBot.Metrics;

/// <summary>Reads every canary's signals from Prometheus with a fixed number of queries, whatever the number of canaries and their timings.</summary>
public sealed class SignalReader(PrometheusClient prometheus) : ISignalSource
{
    /// <summary>
    /// Series one canary may add to a shared answer: the Envoy query returns (8 + 4 × (failureThreshold + 1)) slots per
    /// subset cluster and port, about 70 at the defaults; far more still means a selector matched the wrong thing.
    /// </summary>
    private const int SeriesPerCanary = 1_000;

    public async Task<IReadOnlyDictionary<string, IReadOnlyList<SeriesPoint>>> ErrorRateSeriesAsync(CanaryPolicy policy, DateTimeOffset at, int points, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(policy);
        var window = policy.Analysis.Window;
        var step = points > 1 ? window / (points - 1) : window;
        var start = at - window;
        var series = await prometheus.QueryRangeAsync(SignalQueries.ErrorRateSeries(policy), start, at, step, ct);
        var result = new Dictionary<string, IReadOnlyList<SeriesPoint>>();
        foreach (var subset in new[] { policy.Stable, policy.Canary })
        {
            var version = subset == policy.Canary ? policy.CanaryVersion : policy.StableVersion;
            var found = series.FirstOrDefault(s => s.Labels.GetValueOrDefault("destination_version") == version);
            var byTime = found?.Points.ToDictionary(p => p.Time.ToUnixTimeSeconds(), p => p.Value) ?? [];
            result[subset] = Enumerable.Range(0, points)
                .Select(i => start + (step * i))
                .Select(t => new SeriesPoint(t, byTime.TryGetValue(t.ToUnixTimeSeconds(), out var v) && double.IsFinite(v) ? v : null))
                .ToList();
        }

        return result;
    }

    public async Task<IReadOnlyDictionary<CanaryPolicy, CanarySignals>> ReadAsync(IReadOnlyList<CanaryPolicy> policies, DateTimeOffset at, CancellationToken ct)
    {
        var q = new SignalQueries(policies);
        var queries = q.All;
        var maxSeries = PrometheusResponse.MaxSeries + (SeriesPerCanary * policies.Count);
        IReadOnlyList<Sample>[] answers;
        try
        {
            answers = await Task.WhenAll(queries.Select(query => prometheus.QueryAsync(query, at, maxSeries, ct)));
        }
        catch (PrometheusException e) when (e.QuerySpecific && policies.Count > 1)
        {
            // One canary's values may be what broke the shared query: ask per canary so the failure stays with its owner.
            var single = await Task.WhenAll(policies.Select(p => ReadAsync([p], at, ct)));
            return single.SelectMany(d => d).ToDictionary(kv => kv.Key, kv => kv.Value);
        }
        catch (PrometheusException e)
        {
            var message = e.Message;
            return policies.ToDictionary(p => p, _ => new CanarySignals(at, null, new Dictionary<string, SubsetSignals>(), null, message, queries));
        }

        // Label values repeat across series (a slot per signal, a cluster per slot): each distinct one is parsed once.
        var slots = new Dictionary<string, (int Group, string Slot, string Signal)>(StringComparer.Ordinal);
        var requests = BySlot(answers[0], slots);
        var errors = BySlot(answers[1], slots);
        var p99 = BySlot(answers[2], slots);
        var newest = answers[3].ToDictionary(s => (s.Label("destination_service_namespace"), s.Label("destination_service_name")), s => s.Value);
        var failures = answers[4]
            .Where(s => !double.IsNaN(s.Value))
            .Select(s => (Key: Key(s, slots), Flags: s.Label("response_flags"), s.Value))
            .ToList();
        // Highest and total value per (group, slot, signal, subset, host) over ports and callers; summed from 0 in answer order, as Enumerable.Sum did.
        var clusterNames = new Dictionary<string, EnvoyCluster?>(StringComparer.Ordinal);
        var clusters = new Dictionary<(int Group, string Slot, string Signal, string Subset, string Host), (double Max, double Sum)>();
        foreach (var s in answers[5])
        {
            if (double.IsNaN(s.Value) || Cached(clusterNames, s.Label("cluster_name"), EnvoyCluster.TryParse) is not { } cluster)
            {
                continue;
            }

            var slot = Cached(slots, s.Label(SignalQueries.SlotLabel), SignalQueries.ParseSlot);
            var key = (slot.Group, slot.Slot, slot.Signal, cluster.Subset, cluster.Host);
            clusters[key] = clusters.TryGetValue(key, out var seen) ? (s.Value > seen.Max ? s.Value : seen.Max, seen.Sum + s.Value) : (s.Value, 0 + s.Value);
        }
        var failuresByKey = failures.ToLookup(x => x.Key);

        return policies.ToDictionary(p => p, policy =>
        {
            var g = q.GroupOf(policy);
            var f = policy.Analysis.FailureThreshold;
            var fqdn = policy.Fqdn;

            double? Get(Dictionary<SlotKey, double> map, string version, string slot) =>
                map.TryGetValue(new SlotKey(g, slot, policy.Namespace, policy.Service, version), out var v) ? v : null;

            double? Envoy(string subset, string slot, string signal, bool max)
            {
                return clusters.TryGetValue((g, slot, signal, subset, fqdn), out var v) ? max ? v.Max : v.Sum : null;
            }

            double? Failures(string version, string slot, Func<string, bool> flags)
            {
                var values = failuresByKey[new SlotKey(g, slot, policy.Namespace, policy.Service, version)].Where(x => flags(x.Flags)).Select(x => x.Value).ToList();
                return values.Count == 0 ? null : values.Sum();
            }

            // Lowest value over the last failureThreshold intervals; an interval without data counts as 0 (a breach must be seen to persist).
            double? LowestOverIntervals(Func<int, double?> perInterval)
            {
                var values = Enumerable.Range(0, f).Select(perInterval).ToList();
                return values.All(v => v is null) ? null : values.Min(v => v ?? 0);
            }

            double? HighestOverIntervals(Func<int, double?> perInterval)
            {
                var values = Enumerable.Range(0, f).Select(perInterval).Where(v => v is not null).ToList();
                return values.Count == 0 ? null : values.Max();
            }

            // Istio metrics carry the pods' version label; Envoy clusters carry the subset name. Both are the same unless the policy maps them.
            SubsetSignals Subset(string subset, string version)
            {
                var windowRequests = Get(requests, version, "w0");
                double? IntervalRate(int k)
                {
                    var n = Get(requests, version, SignalQueries.IntervalSlot(k));
                    return n is null ? null : n > 0 ? (Get(errors, version, SignalQueries.IntervalSlot(k)) ?? 0) / n : 0;
                }

                double? FailedBeforeReaching(int k)
                {
                    var none = Envoy(subset, SignalQueries.IntervalSlot(k), "none_healthy", max: false);
                    var connect = Envoy(subset, SignalQueries.IntervalSlot(k), "connect_fail", max: false);
                    return none is null && connect is null ? null : (none ?? 0) + (connect ?? 0);
                }

                var seenNow = Envoy(subset, "i0", "membership_total", max: true) is not null;
                var seenBefore = Enumerable.Range(1, f).Any(k => Envoy(subset, SignalQueries.IntervalSlot(k), "membership_total", max: true) is not null);
                return new SubsetSignals(
                    subset,
                    windowRequests,
                    // Istio has no 5xx series for a subset that never failed: with requests, that is 0.
                    Get(errors, version, "w0") ?? (windowRequests is null ? null : 0),
                    Get(p99, version, "w0"),
                    LowestOverIntervals(IntervalRate),
                    LowestOverIntervals(k => Get(p99, version, SignalQueries.IntervalSlot(k))),
                    Envoy(subset, "w0", "ejections_active", max: true),
                    Envoy(subset, "w0", "ejections_enforced", max: false),
                    Envoy(subset, "w0", "pending_overflow", max: false),
                    Envoy(subset, "w0", "cx_overflow", max: false),
                    Failures(version, "w0", flags => flags.Contains("UO", StringComparison.Ordinal)))
                {
                    WindowHistory = Enumerable.Range(0, f)
                        .Select(k => new WindowCounts(Get(errors, version, SignalQueries.WindowSlot(k)) ?? 0, Get(requests, version, SignalQueries.WindowSlot(k)) ?? 0))
                        .ToList(),
                    HealthyEndpoints = HighestOverIntervals(k => Envoy(subset, SignalQueries.IntervalSlot(k), "membership_healthy", max: true)),
                    MembershipIntervals = Enumerable.Range(0, f).Count(k => Envoy(subset, SignalQueries.IntervalSlot(k), "membership_total", max: true) is not null),
                    TotalEndpoints = HighestOverIntervals(k => Envoy(subset, SignalQueries.IntervalSlot(k), "membership_total", max: true)),
                    NoHealthyFailures = Envoy(subset, "w0", "none_healthy", max: false),
                    ConnectFailures = Envoy(subset, "w0", "connect_fail", max: false),
                    SustainedFailuresBeforeReaching = LowestOverIntervals(FailedBeforeReaching),
                    UpstreamRq5xx = Envoy(subset, "w0", "rq_5xx", max: false),
                    UpstreamRq503 = Envoy(subset, "w0", "rq_503", max: false),
                    AppearedWithinInterval = seenNow && !seenBefore,
                };
            }

            var subsets = new Dictionary<string, SubsetSignals>
            {
                [policy.Stable] = Subset(policy.Stable, policy.StableVersion),
                [policy.Canary] = Subset(policy.Canary, policy.CanaryVersion),
            };
            DateTimeOffset? newestSample = newest.TryGetValue((policy.Namespace, policy.Service), out var ts) && double.IsFinite(ts)
                ? DateTimeOffset.FromUnixTimeMilliseconds((long)(ts * 1000))
                : null;
            var unknownKey = new SlotKey(g, "w0", policy.Namespace, policy.Service, "unknown");
            var unattributed = failuresByKey[unknownKey]
                .GroupBy(x => x.Flags, StringComparer.Ordinal)
                .OrderBy(x => x.Key, StringComparer.Ordinal)
                .ToDictionary(x => x.Key, x => x.Sum(y => y.Value), StringComparer.Ordinal);
            return new CanarySignals(at, newestSample, subsets, Failures("unknown", "w0", flags => flags.Contains("UO", StringComparison.Ordinal)), null, queries)
            {
                UnattributedFailuresByFlag = unattributed,
            };
        });
    }

    private static TValue Cached<TValue>(Dictionary<string, TValue> cache, string key, Func<string, TValue> parse)
    {
        if (!cache.TryGetValue(key, out var value))
        {
            value = parse(key);
            cache[key] = value;
        }

        return value;
    }

    private static SlotKey Key(Sample s, Dictionary<string, (int Group, string Slot, string Signal)> slots)
    {
        var slot = Cached(slots, s.Label(SignalQueries.SlotLabel), SignalQueries.ParseSlot);
        return new SlotKey(slot.Group, slot.Slot, s.Label("destination_service_namespace"), s.Label("destination_service_name"), s.Label("destination_version"));
    }

    private static Dictionary<SlotKey, double> BySlot(IReadOnlyList<Sample> samples, Dictionary<string, (int Group, string Slot, string Signal)> slots)
    {
        var map = new Dictionary<SlotKey, double>();
        foreach (var s in samples)
        {
            // NaN means "no data" (0/0, empty histogram): dropping it keeps it from ever passing a check.
            if (double.IsNaN(s.Value))
            {
                continue;
            }

            var key = Key(s, slots);
            // Sums can meet the same key twice only if Prometheus returned duplicates; keep the larger, never invent data.
            map[key] = map.TryGetValue(key, out var existing) && existing >= s.Value ? existing : s.Value;
        }

        return map;
    }

    private readonly record struct SlotKey(int Group, string Slot, string Namespace, string Service, string Version);
}
