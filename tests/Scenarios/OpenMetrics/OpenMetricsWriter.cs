using System.Globalization;
using Scenarios.Generation;

namespace Scenarios.OpenMetrics;

/// <summary>
/// Writes a <see cref="MetricsDump"/> as OpenMetrics text for <c>promtool tsdb create-blocks-from openmetrics</c>:
/// one block per family, samples with timestamps in seconds, histogram points grouped per timestamp, ending in <c># EOF</c>.
/// </summary>
internal static class OpenMetricsWriter
{
    public static void Write(MetricsDump dump, TextWriter w)
    {
        WriteFamily(w, "istio_requests", "counter", "_total", dump.Requests);
        WriteHistogram(w, "istio_request_duration_milliseconds", dump.Durations);
        WriteFamily(w, "envoy_cluster_outlier_detection_ejections_active", "gauge", "", dump.EjectionsActive);
        WriteFamily(w, "envoy_cluster_outlier_detection_ejections_enforced", "counter", "_total", dump.EjectionsEnforced);
        // Envoy counters without a _total suffix: a real Istio Prometheus stores them under exactly these names. OpenMetrics
        // only lets a counter's samples end in _total, so they are declared "unknown", which keeps the stored name as is.
        WriteFamily(w, "envoy_cluster_upstream_rq_pending_overflow", "unknown", "", dump.PendingOverflow);
        WriteFamily(w, "envoy_cluster_upstream_cx_overflow", "unknown", "", dump.ConnectionOverflow);
        WriteFamily(w, "envoy_cluster_membership_healthy", "gauge", "", dump.MembershipHealthy);
        WriteFamily(w, "envoy_cluster_membership_total", "gauge", "", dump.MembershipTotal);
        WriteFamily(w, "envoy_cluster_upstream_cx_none_healthy", "unknown", "", dump.NoneHealthy);
        WriteFamily(w, "envoy_cluster_upstream_cx_connect_fail", "unknown", "", dump.ConnectFail);
        WriteFamily(w, "envoy_cluster_upstream_rq", "unknown", "", dump.UpstreamRq);
        w.Write("# EOF\n");
    }

    private static void WriteFamily(TextWriter w, string family, string type, string suffix, List<ScalarSeries> series)
    {
        if (series.Count == 0)
        {
            return;
        }

        w.Write($"# TYPE {family} {type}\n");
        var name = family + suffix;
        foreach (var s in series)
        {
            for (var i = 0; i < s.Times.Count; i++)
            {
                w.Write(name);
                w.Write('{');
                w.Write(s.Labels);
                w.Write("} ");
                w.Write(Number(s.Values[i]));
                w.Write(' ');
                w.Write(Timestamp(s.Times[i]));
                w.Write('\n');
            }
        }
    }

    private static void WriteHistogram(TextWriter w, string family, List<HistogramSeries> series)
    {
        if (series.Count == 0)
        {
            return;
        }

        w.Write($"# TYPE {family} histogram\n");
        foreach (var s in series)
        {
            var sep = s.Labels.Length > 0 ? "," : "";
            for (var i = 0; i < s.Times.Count; i++)
            {
                var ts = Timestamp(s.Times[i]);
                var buckets = s.CumulativeBuckets[i];
                for (var b = 0; b < buckets.Length; b++)
                {
                    w.Write($"{family}_bucket{{{s.Labels}{sep}le=\"{EnvoyBuckets.Le[b]}\"}} {buckets[b].ToString(CultureInfo.InvariantCulture)} {ts}\n");
                }

                w.Write($"{family}_count{{{s.Labels}}} {buckets[^1].ToString(CultureInfo.InvariantCulture)} {ts}\n");
                w.Write($"{family}_sum{{{s.Labels}}} {Number(s.Sums[i])} {ts}\n");
            }
        }
    }

    private static string Number(double v) => v.ToString("R", CultureInfo.InvariantCulture);

    private static string Timestamp(long unixMs) =>
        (unixMs / 1000).ToString(CultureInfo.InvariantCulture) + "." + (unixMs % 1000).ToString("000", CultureInfo.InvariantCulture);
}
