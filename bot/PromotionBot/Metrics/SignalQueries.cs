using PromotionBot.Policy;

namespace PromotionBot.Metrics;

/// <summary>
/// The PromQL behind every signal. Each query covers all canaries that share the same analysis timing, so the number of
/// queries per cycle depends on how many distinct (window, interval, failureThreshold, maxStaleness) settings exist, not on the number of canaries.
/// </summary>
/// <remarks>
/// Code health uses reporter="destination" and destination_version (the server pod's own version label): no double
/// counting, callers outside the mesh included. Circuit breaking never reaches a v2 pod, so it is read from the callers'
/// Envoy cluster stats, attributed to a subset by cluster_name ("outbound|port|subset|fqdn").
/// </remarks>
public sealed class SignalQueries
{
    public const string ServiceLabels = "destination_service_namespace, destination_service_name";
    public const string VersionLabels = ServiceLabels + ", destination_version";

    public SignalQueries(IReadOnlyCollection<CanaryPolicy> policies)
    {
        var first = policies.First().Analysis;
        Window = Durations.Format(first.Window);
        Interval = Durations.Format(first.Interval);
        Persistence = Durations.Format(first.Interval * first.FailureThreshold);
        ServiceSelector = $"{PromQlString.OneOf("destination_service_namespace", policies.Select(p => p.Namespace))}, {PromQlString.OneOf("destination_service_name", policies.Select(p => p.Service))}";
        // Any port and any subset of the canaries' hosts; the bot keeps the clusters of the subsets it knows.
        ClusterSelector = $"cluster_name=~{PromQlString.Quote($@"outbound\|[0-9]+\|[^|]*\|({PromQlString.Alternation(policies.Select(p => p.Fqdn))})")}";
    }

    public string Window { get; }

    public string Interval { get; }

    public string Persistence { get; }

    public string ServiceSelector { get; }

    public string ClusterSelector { get; }

    private string Requests(string extra = "") => $"istio_requests_total{{reporter=\"destination\", {ServiceSelector}{extra}}}";

    private const string Errors = ", response_code=~\"5..\"";

    public string RequestCount => $"sum by ({VersionLabels}) (increase({Requests()}[{Window}]))";

    /// <summary>Istio creates a 5xx series only after the first 5xx, so a subset that never failed gets an explicit 0.</summary>
    public string ErrorCount => $"sum by ({VersionLabels}) (increase({Requests(Errors)}[{Window}])) or 0 * {RequestCount}";

    public string P99Latency =>
        $"histogram_quantile(0.99, sum by ({VersionLabels}, le) (rate(istio_request_duration_milliseconds_bucket{{reporter=\"destination\", {ServiceSelector}}}[{Window}])))";

    /// <summary>
    /// Lowest per-interval 5xx ratio over the last failureThreshold intervals: above the ceiling only if every interval breached.
    /// Intervals without traffic count as 0 (a breach must be seen to persist), hence the "or 0 *" branch.
    /// </summary>
    public string SustainedErrorRate =>
        $"min_over_time(((sum by ({VersionLabels}) (rate({Requests(Errors)}[{Interval}])) / sum by ({VersionLabels}) (rate({Requests()}[{Interval}]))) > -Inf" +
        $" or 0 * sum by ({VersionLabels}) (rate({Requests()}[{Interval}])))[{Persistence}:{Interval}])";

    public string SustainedP99Latency =>
        $"min_over_time((histogram_quantile(0.99, sum by ({VersionLabels}, le) (rate(istio_request_duration_milliseconds_bucket{{reporter=\"destination\", {ServiceSelector}}}[{Interval}]))) > -Inf" +
        $" or 0 * sum by ({VersionLabels}) (rate({Requests()}[{Interval}])))[{Persistence}:{Interval}])";

    /// <summary>Newest sample of any request series of the service (both reporters): older than maxStaleness means the pipeline stopped.</summary>
    public string NewestSample => $"max by ({ServiceLabels}) (timestamp(istio_requests_total{{{ServiceSelector}}}))";

    /// <summary>Responses the callers' proxies failed with UO (overflow). Client-side failures carry destination_version="unknown".</summary>
    public string OverflowResponses =>
        $"sum by ({VersionLabels}) (increase(istio_requests_total{{reporter=\"source\", {ServiceSelector}, response_flags=~\".*UO.*\"}}[{Window}]))";

    /// <summary>All Envoy circuit-breaker signals per cluster in one query, told apart by a "signal" label.</summary>
    public string CircuitBreakers =>
        $"label_replace(max by (cluster_name) (max_over_time(envoy_cluster_outlier_detection_ejections_active{{{ClusterSelector}}}[{Window}])), \"signal\", \"ejections_active\", \"\", \"\")" +
        $" or label_replace(sum by (cluster_name) (increase(envoy_cluster_outlier_detection_ejections_enforced_total{{{ClusterSelector}}}[{Window}])), \"signal\", \"ejections_enforced\", \"\", \"\")" +
        $" or label_replace(sum by (cluster_name) (increase(envoy_cluster_upstream_rq_pending_overflow{{{ClusterSelector}}}[{Window}])), \"signal\", \"pending_overflow\", \"\", \"\")" +
        $" or label_replace(sum by (cluster_name) (increase(envoy_cluster_upstream_cx_overflow{{{ClusterSelector}}}[{Window}])), \"signal\", \"cx_overflow\", \"\", \"\")";

    /// <summary>Per-interval 5xx ratio, for the chart in a pull request.</summary>
    public static string ErrorRateSeries(CanaryPolicy policy)
    {
        var sel = $"reporter=\"destination\", {PromQlString.Equal("destination_service_namespace", policy.Namespace)}, {PromQlString.Equal("destination_service_name", policy.Service)}";
        var interval = Durations.Format(policy.Analysis.Interval);
        return $"sum by (destination_version) (rate(istio_requests_total{{{sel}, response_code=~\"5..\"}}[{interval}])) / sum by (destination_version) (rate(istio_requests_total{{{sel}}}[{interval}]))" +
               $" or 0 * sum by (destination_version) (rate(istio_requests_total{{{sel}}}[{interval}]))";
    }

    public IReadOnlyList<string> All => [RequestCount, ErrorCount, P99Latency, SustainedErrorRate, SustainedP99Latency, NewestSample, OverflowResponses, CircuitBreakers];
}
