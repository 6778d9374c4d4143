namespace Scenarios.Generation;

/// <summary>Envoy's default histogram bucket bounds in milliseconds (istio_request_duration_milliseconds); +Inf is implicit.</summary>
internal static class EnvoyBuckets
{
    public static readonly double[] Bounds =
        [0.5, 1, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000, 30000, 60000, 300000, 600000, 1800000, 3600000];

    /// <summary>The <c>le</c> label value of each bucket, "+Inf" last.</summary>
    public static readonly string[] Le =
        Bounds.Select(b => b.ToString("R", System.Globalization.CultureInfo.InvariantCulture)).Append("+Inf").ToArray();

    public static int IndexOf(double valueMs)
    {
        for (var i = 0; i < Bounds.Length; i++)
        {
            if (valueMs <= Bounds[i])
            {
                return i;
            }
        }

        return Bounds.Length; // +Inf
    }
}

/// <summary>One plain series (counter/gauge/unknown): sample times (unix ms) and values, same length.</summary>
internal sealed class ScalarSeries(string labels)
{
    public string Labels { get; } = labels;

    public List<long> Times { get; } = [];

    public List<double> Values { get; } = [];

    public void Add(long timeMs, double value)
    {
        Times.Add(timeMs);
        Values.Add(value);
    }
}

/// <summary>One histogram label set: per sample, cumulative bucket counts (one per bound plus +Inf) and the sum.</summary>
internal sealed class HistogramSeries(string labels)
{
    public string Labels { get; } = labels;

    public List<long> Times { get; } = [];

    public List<long[]> CumulativeBuckets { get; } = [];

    public List<double> Sums { get; } = [];
}

/// <summary>Everything generated, grouped by metric family as OpenMetrics requires.</summary>
internal sealed class MetricsDump
{
    public List<ScalarSeries> Requests { get; } = [];

    public List<HistogramSeries> Durations { get; } = [];

    public List<ScalarSeries> EjectionsActive { get; } = [];

    public List<ScalarSeries> EjectionsEnforced { get; } = [];

    public List<ScalarSeries> PendingOverflow { get; } = [];

    public List<ScalarSeries> ConnectionOverflow { get; } = [];

    public List<ScalarSeries> MembershipHealthy { get; } = [];

    public List<ScalarSeries> MembershipTotal { get; } = [];

    public List<ScalarSeries> NoneHealthy { get; } = [];

    public List<ScalarSeries> ConnectFail { get; } = [];

    /// <summary>envoy_cluster_upstream_rq with response_code="503" or response_code_class="5xx" (Istio's stats tags).</summary>
    public List<ScalarSeries> UpstreamRq { get; } = [];

    public long SampleCount =>
        Requests.Sum(s => (long)s.Times.Count) + Durations.Sum(s => (long)s.Times.Count * (EnvoyBuckets.Bounds.Length + 3))
        + new[] { EjectionsActive, EjectionsEnforced, PendingOverflow, ConnectionOverflow, MembershipHealthy, MembershipTotal, NoneHealthy, ConnectFail, UpstreamRq }
            .Sum(f => f.Sum(s => (long)s.Times.Count));
}
