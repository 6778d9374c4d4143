using PromotionBot.Policy;

namespace PromotionBot.Metrics;

/// <summary>Reads every canary's signals from Prometheus with a fixed number of batched queries.</summary>
public sealed class SignalReader(PrometheusClient prometheus)
{
    public async Task<IReadOnlyDictionary<CanaryPolicy, CanarySignals>> ReadAsync(IReadOnlyList<CanaryPolicy> policies, DateTimeOffset at, CancellationToken ct)
    {
        var result = new Dictionary<CanaryPolicy, CanarySignals>();
        // Canaries with the same timing share queries; the grouping key is what changes the PromQL.
        var groups = policies.GroupBy(p => (p.Analysis.Window, p.Analysis.Interval, p.Analysis.FailureThreshold));
        var tasks = groups.Select(async g => (Group: g.ToList(), Signals: await ReadGroupAsync(g.ToList(), at, ct)));
        foreach (var (group, signals) in await Task.WhenAll(tasks))
        {
            foreach (var policy in group)
            {
                result[policy] = signals(policy);
            }
        }

        return result;
    }

    private async Task<Func<CanaryPolicy, CanarySignals>> ReadGroupAsync(IReadOnlyList<CanaryPolicy> group, DateTimeOffset at, CancellationToken ct)
    {
        var q = new SignalQueries(group);
        var queries = q.All;
        IReadOnlyList<Sample>[] answers;
        try
        {
            answers = await Task.WhenAll(queries.Select(query => prometheus.QueryAsync(query, at, ct)));
        }
        catch (PrometheusException e) when (e.QuerySpecific && group.Count > 1)
        {
            // One canary's values may be what broke the shared query: ask per canary so the failure stays with its owner.
            var single = await Task.WhenAll(group.Select(async p => (Policy: p, Read: await ReadGroupAsync([p], at, ct))));
            return policy => single.First(s => ReferenceEquals(s.Policy, policy)).Read(policy);
        }
        catch (PrometheusException e)
        {
            var message = e.Message;
            return _ => new CanarySignals(at, null, new Dictionary<string, SubsetSignals>(), null, message, queries);
        }

        var requests = ByVersion(answers[0]);
        var errors = ByVersion(answers[1]);
        var p99 = ByVersion(answers[2]);
        var sustainedErrors = ByVersion(answers[3]);
        var sustainedP99 = ByVersion(answers[4]);
        var newest = answers[5].ToDictionary(s => (s.Label("destination_service_namespace"), s.Label("destination_service_name")), s => s.Value);
        var overflowResponses = ByVersion(answers[6]);
        var breakers = answers[7]
            .Select(s => (Cluster: EnvoyCluster.TryParse(s.Label("cluster_name")), Signal: s.Label("signal"), s.Value))
            .Where(x => x.Cluster is not null)
            .ToList();

        return policy =>
        {
            double? Get(Dictionary<(string, string, string), double> map, string version) =>
                map.TryGetValue((policy.Namespace, policy.Service, version), out var v) ? v : null;

            double? Breaker(string subset, string signal)
            {
                var values = breakers.Where(b => b.Signal == signal && b.Cluster!.Subset == subset && b.Cluster.Host == policy.Fqdn).Select(b => b.Value).ToList();
                return values.Count == 0 ? null : signal == "ejections_active" ? values.Max() : values.Sum();
            }

            SubsetSignals Subset(string version) => new(
                version,
                Get(requests, version),
                Get(errors, version),
                Get(p99, version),
                Get(sustainedErrors, version),
                Get(sustainedP99, version),
                Breaker(version, "ejections_active"),
                Breaker(version, "ejections_enforced"),
                Breaker(version, "pending_overflow"),
                Breaker(version, "cx_overflow"),
                Get(overflowResponses, version));

            var subsets = new Dictionary<string, SubsetSignals>
            {
                [policy.Stable] = Subset(policy.Stable),
                [policy.Canary] = Subset(policy.Canary),
            };
            DateTimeOffset? newestSample = newest.TryGetValue((policy.Namespace, policy.Service), out var ts) && double.IsFinite(ts)
                ? DateTimeOffset.FromUnixTimeMilliseconds((long)(ts * 1000))
                : null;
            var unattributed = Get(overflowResponses, "unknown");
            return new CanarySignals(at, newestSample, subsets, unattributed, null, queries);
        };
    }

    private static Dictionary<(string, string, string), double> ByVersion(IReadOnlyList<Sample> samples)
    {
        var map = new Dictionary<(string, string, string), double>();
        foreach (var s in samples)
        {
            // NaN means "no data" (0/0, empty histogram): dropping it keeps it from ever passing a check.
            if (double.IsNaN(s.Value))
            {
                continue;
            }

            var key = (s.Label("destination_service_namespace"), s.Label("destination_service_name"), s.Label("destination_version"));
            // Sums can meet the same key twice only if Prometheus returned duplicates; keep the larger, never invent data.
            map[key] = map.TryGetValue(key, out var existing) && existing >= s.Value ? existing : s.Value;
        }

        return map;
    }
}
