using System.Globalization;
using PromotionBot.Policy;

namespace PromotionBot.Metrics;

/// <summary>
/// The PromQL behind every signal: one query per signal for all canaries, whatever their windows. Canaries that share
/// timing settings (window, interval, failureThreshold) form a group; each group's selection is tagged with a
/// <c>bot_slot</c> label ("group/slot[/signal]") and the groups are joined with <c>or</c> inside the one query.
/// </summary>
/// <remarks>
/// Code health uses reporter="destination" and destination_version (the server pod's own version label): no double
/// counting, callers outside the mesh included. Failures that never reach a pod (circuit breaking, no healthy endpoint,
/// connect failures) are read from the callers' Envoy cluster stats, attributed to a subset by cluster_name
/// ("outbound|port|subset|fqdn").
/// Slots: "w{k}" is the whole window ending k intervals before the evaluation time, "i{k}" the single interval ending
/// there. Offsets count back from the evaluation time itself (the query's own time), so a replay with --at T sees
/// exactly the intervals a live run at T saw — no epoch-aligned subquery steps.
/// </remarks>
public sealed class SignalQueries
{
    public const string ServiceLabels = "destination_service_namespace, destination_service_name";
    public const string VersionLabels = ServiceLabels + ", destination_version";
    public const string SlotLabel = "bot_slot";

    /// <summary>Envoy cluster stats (names as Envoy exports them, after cluster_name is split off) the bot reads; the mesh's proxyStatsMatcher must include each.</summary>
    public static readonly IReadOnlyList<string> EnvoyStats =
    [
        "outlier_detection.ejections_active",
        "outlier_detection.ejections_enforced_total",
        "upstream_rq_pending_overflow",
        "upstream_cx_overflow",
        "upstream_cx_none_healthy",
        "membership_healthy",
        "membership_total",
        "upstream_rq_5xx",
        "upstream_rq_503",
        "upstream_cx_connect_fail",
    ];

    private const string Errors = ", response_code=~\"5..\"";

    /// <summary>Response flags of requests that failed in the caller's proxy: overflow, no healthy upstream, connect failure, retries exhausted.</summary>
    public const string LocalFailureFlags = ".*(UO|UH|UF|URX).*";

    private readonly IReadOnlyList<Group> groups;
    private readonly Dictionary<CanaryPolicy, int> groupOf = [];

    public SignalQueries(IReadOnlyCollection<CanaryPolicy> policies)
    {
        groups = policies
            .GroupBy(TimingKey)
            .OrderBy(g => g.Key.Window).ThenBy(g => g.Key.Interval).ThenBy(g => g.Key.FailureThreshold)
            .Select((g, i) => new Group(i, g.Key.Window, g.Key.Interval, g.Key.FailureThreshold, g.ToList()))
            .ToList();
        foreach (var g in groups)
        {
            foreach (var p in g.Policies)
            {
                groupOf.TryAdd(p, g.Index);
            }
        }

        var all = new Group(-1, TimeSpan.Zero, TimeSpan.Zero, 0, policies.ToList());
        NewestSample = $"max by ({ServiceLabels}) (timestamp(istio_requests_total{{{all.ServiceSelector}}}))";
    }

    /// <summary>Group index of a policy in the <c>bot_slot</c> labels.</summary>
    public int GroupOf(CanaryPolicy policy) =>
        groupOf.TryGetValue(policy, out var index) ? index : throw new InvalidOperationException($"canary {policy.Name} is not part of these queries");

    public static (TimeSpan Window, TimeSpan Interval, int FailureThreshold) TimingKey(CanaryPolicy p) =>
        (p.Analysis.Window, p.Analysis.Interval, p.Analysis.FailureThreshold);

    /// <summary>Requests per version: the window at each of the last failureThreshold interval ends (w0…), and each interval (i0…).</summary>
    public string Requests => Union(g => WindowsAndIntervals(g, range => $"sum by ({VersionLabels}) (increase({g.Requests()}{range}))"));

    /// <summary>5xx per version, same slots. Istio creates a 5xx series only after the first 5xx: a missing one next to requests is 0.</summary>
    public string ErrorCount => Union(g => WindowsAndIntervals(g, range => $"sum by ({VersionLabels}) (increase({g.Requests(Errors)}{range}))"));

    /// <summary>p99 per version over the window (w0) and per interval (i0…).</summary>
    public string P99Latency => Union(g =>
    {
        string Quantile(string range) =>
            $"histogram_quantile(0.99, sum by ({VersionLabels}, le) (rate(istio_request_duration_milliseconds_bucket{{reporter=\"destination\", {g.ServiceSelector}}}{range})))";
        return [("w0", Quantile(g.Range(g.Window, 0))), .. Enumerable.Range(0, g.FailureThreshold).Select(k => ($"i{k}", Quantile(g.Range(g.Interval, k))))];
    });

    /// <summary>Newest sample of any request series of the services (both reporters): older than maxStaleness means the pipeline stopped.</summary>
    public string NewestSample { get; }

    /// <summary>
    /// Requests the callers' proxies failed themselves (UO overflow, UH no healthy upstream, UF connect failure, URX retries
    /// exhausted), by version and flags. Such failures carry destination_version="unknown" when no pod answered.
    /// </summary>
    public string LocalFailures => Union(g =>
    {
        string Failures(string range) =>
            $"sum by ({VersionLabels}, response_flags) (increase(istio_requests_total{{reporter=\"source\", {g.ServiceSelector}, response_flags=~\"{LocalFailureFlags}\"}}{range}))";
        return [("w0", Failures(g.Range(g.Window, 0))), .. Enumerable.Range(0, g.FailureThreshold).Select(k => ($"i{k}", Failures(g.Range(g.Interval, k))))];
    });

    /// <summary>
    /// Every Envoy cluster signal per cluster_name: circuit breaking and upstream failures over the window, endpoint
    /// membership and failures-before-reaching-a-pod per interval (one more interval than failureThreshold, to see when the subset appeared).
    /// </summary>
    public string EnvoyClusters => Union(g =>
    {
        var w = g.Range(g.Window, 0);
        string Max(string metric, string range) => $"max by (cluster_name) (max_over_time({metric}{{{g.ClusterSelector}}}{range}))";
        string Increase(string metric, string range, string extra = "") => $"sum by (cluster_name) (increase({metric}{{{g.ClusterSelector}{extra}}}{range}))";
        var parts = new List<(string, string)>
        {
            ("w0/ejections_active", Max("envoy_cluster_outlier_detection_ejections_active", w)),
            ("w0/ejections_enforced", Increase("envoy_cluster_outlier_detection_ejections_enforced_total", w)),
            ("w0/pending_overflow", Increase("envoy_cluster_upstream_rq_pending_overflow", w)),
            ("w0/cx_overflow", Increase("envoy_cluster_upstream_cx_overflow", w)),
            ("w0/rq_5xx", Increase("envoy_cluster_upstream_rq", w, ", response_code_class=\"5xx\"")),
            ("w0/rq_503", Increase("envoy_cluster_upstream_rq", w, ", response_code=\"503\"")),
            ("w0/none_healthy", Increase("envoy_cluster_upstream_cx_none_healthy", w)),
            ("w0/connect_fail", Increase("envoy_cluster_upstream_cx_connect_fail", w)),
        };
        for (var k = 0; k <= g.FailureThreshold; k++)
        {
            var i = g.Range(g.Interval, k);
            parts.Add(($"i{k}/membership_healthy", Max("envoy_cluster_membership_healthy", i)));
            parts.Add(($"i{k}/membership_total", Max("envoy_cluster_membership_total", i)));
            parts.Add(($"i{k}/none_healthy", Increase("envoy_cluster_upstream_cx_none_healthy", i)));
            parts.Add(($"i{k}/connect_fail", Increase("envoy_cluster_upstream_cx_connect_fail", i)));
        }

        return parts;
    });

    /// <summary>Per-interval 5xx ratio, for the chart in a pull request.</summary>
    public static string ErrorRateSeries(CanaryPolicy policy)
    {
        var sel = $"reporter=\"destination\", {PromQlString.Equal("destination_service_namespace", policy.Namespace)}, {PromQlString.Equal("destination_service_name", policy.Service)}";
        var interval = Durations.Format(policy.Analysis.Interval);
        return $"sum by (destination_version) (rate(istio_requests_total{{{sel}, response_code=~\"5..\"}}[{interval}])) / sum by (destination_version) (rate(istio_requests_total{{{sel}}}[{interval}]))" +
               $" or 0 * sum by (destination_version) (rate(istio_requests_total{{{sel}}}[{interval}]))";
    }

    /// <summary>The cycle's queries, in the order <see cref="SignalReader"/> reads them. Their number never depends on the canaries.</summary>
    public IReadOnlyList<string> All => [Requests, ErrorCount, P99Latency, NewestSample, LocalFailures, EnvoyClusters];

    /// <summary>Splits a <c>bot_slot</c> value "group/slot[/signal]".</summary>
    public static (int Group, string Slot, string Signal) ParseSlot(string value)
    {
        var parts = value.Split('/');
        return parts.Length >= 2 && int.TryParse(parts[0], NumberStyles.Integer, CultureInfo.InvariantCulture, out var g)
            ? (g, parts[1], parts.Length > 2 ? parts[2] : "")
            : (-1, "", "");
    }

    /// <summary>Slot names "w{k}" and "i{k}" without building a string per lookup.</summary>
    public static string WindowSlot(int k) => k < SlotNames ? WindowSlots[k] : $"w{k.ToString(CultureInfo.InvariantCulture)}";

    public static string IntervalSlot(int k) => k < SlotNames ? IntervalSlots[k] : $"i{k.ToString(CultureInfo.InvariantCulture)}";

    private const int SlotNames = 32;
    private static readonly string[] WindowSlots = [.. Enumerable.Range(0, SlotNames).Select(k => $"w{k.ToString(CultureInfo.InvariantCulture)}")];
    private static readonly string[] IntervalSlots = [.. Enumerable.Range(0, SlotNames).Select(k => $"i{k.ToString(CultureInfo.InvariantCulture)}")];

    private static IEnumerable<(string Slot, string Expr)> WindowsAndIntervals(Group g, Func<string, string> expr) =>
        Enumerable.Range(0, g.FailureThreshold).SelectMany(k => new[] { ($"w{k}", expr(g.Range(g.Window, k))), ($"i{k}", expr(g.Range(g.Interval, k))) });

    private string Union(Func<Group, IEnumerable<(string Slot, string Expr)>> parts) =>
        string.Join(" or ", groups.SelectMany(g => parts(g).Select(p =>
            $"label_replace({p.Expr}, \"{SlotLabel}\", \"{g.Index.ToString(CultureInfo.InvariantCulture)}/{p.Slot}\", \"\", \"\")")));

    private sealed record Group(int Index, TimeSpan Window, TimeSpan Interval, int FailureThreshold, IReadOnlyList<CanaryPolicy> Policies)
    {
        // Built once per group: every selection of the group repeats them.
        public string ServiceSelector { get; } =
            $"{PromQlString.OneOf("destination_service_namespace", Policies.Select(p => p.Namespace))}, {PromQlString.OneOf("destination_service_name", Policies.Select(p => p.Service))}";

        /// <summary>
        /// Any port, the group's subset names and the canaries' hosts: the clusters the reader uses. Naming the subsets
        /// leaves out the subset-less cluster of each host, a third of the answer that was read and dropped.
        /// </summary>
        public string ClusterSelector { get; } =
            $"cluster_name=~{PromQlString.Quote($@"outbound\|[0-9]+\|({PromQlString.Alternation(Policies.SelectMany(p => new[] { p.Stable, p.Canary }))})\|({PromQlString.Alternation(Policies.Select(p => p.Fqdn))})")}";

        public string Requests(string extra = "") => $"istio_requests_total{{reporter=\"destination\", {ServiceSelector}{extra}}}";

        /// <summary>A range selector ending <paramref name="k"/> intervals before the evaluation time.</summary>
        public string Range(TimeSpan length, int k) =>
            k == 0 ? $"[{Durations.Format(length)}]" : $"[{Durations.Format(length)}] offset {Durations.Format(Interval * k)}";
    }
}
