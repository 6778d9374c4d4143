namespace Scenarios.Generation;

/// <summary>
/// One Istio request label set as exported by one proxy: the istio_requests_total counter and the duration histogram
/// with the same labels, kept consistent (counter == histogram _count, buckets cumulative, all monotonic until a reset).
/// </summary>
internal sealed class RequestFlow
{
    // Latency shape around a typical value: half a bit faster, 40% typical, a slow 9% and a 1% tail.
    private static readonly double[] Shares = [0.5, 0.4, 0.09, 0.01];
    private static readonly double[] Multipliers = [0.6, 1, 2, 4];

    private readonly long[] _perBucket = new long[EnvoyBuckets.Bounds.Length + 1];
    private readonly double[] _shareSum = new double[Shares.Length];
    private readonly long[] _shareEmitted = new long[Shares.Length];
    private long _total;
    private double _sumMs;

    public RequestFlow(string labels)
    {
        Labels = labels;
        Counter = new ScalarSeries(labels);
        Histogram = new HistogramSeries(labels);
    }

    /// <summary>The rendered label set (without braces) shared by the counter and the histogram.</summary>
    public string Labels { get; }

    public ScalarSeries Counter { get; }

    public HistogramSeries Histogram { get; }

    /// <summary>Adds <paramref name="count"/> requests spread over the latency shape; whole requests per share by largest remainder.</summary>
    public void Add(long count, double typicalMs)
    {
        if (count <= 0)
        {
            return;
        }

        Span<long> take = stackalloc long[Shares.Length];
        long given = 0;
        for (var i = 0; i < Shares.Length; i++)
        {
            _shareSum[i] += count * Shares[i];
            take[i] = Math.Max(0, (long)Math.Floor(_shareSum[i] + 1e-9) - _shareEmitted[i]);
            given += take[i];
        }

        while (given < count)
        {
            var best = 0;
            var bestRemainder = double.MinValue;
            for (var i = 0; i < Shares.Length; i++)
            {
                var remainder = _shareSum[i] - _shareEmitted[i] - take[i];
                if (remainder > bestRemainder)
                {
                    best = i;
                    bestRemainder = remainder;
                }
            }

            take[best]++;
            given++;
        }

        for (var i = 0; i < Shares.Length; i++)
        {
            _shareEmitted[i] += take[i];
            AddFixed(take[i], typicalMs * Multipliers[i]);
        }
    }

    /// <summary>Adds requests that all took the same time (e.g. local UO rejections).</summary>
    public void AddFixed(long count, double latencyMs)
    {
        if (count <= 0)
        {
            return;
        }

        _perBucket[EnvoyBuckets.IndexOf(latencyMs)] += count;
        _total += count;
        _sumMs += count * latencyMs;
    }

    /// <summary>The exporting proxy restarted: every counter of this label set starts again at zero.</summary>
    public void Reset()
    {
        Array.Clear(_perBucket);
        _total = 0;
        _sumMs = 0;
    }

    /// <summary>Requests so far (the counter, and the histogram's _count).</summary>
    public long Total => _total;

    /// <summary>Sum of the requests' durations so far (the histogram's _sum), in milliseconds.</summary>
    public double SumMs => Math.Round(_sumMs, 3);

    /// <summary>Cumulative counts per bucket bound, +Inf last (equal to <see cref="Total"/>).</summary>
    public long[] CumulativeBuckets()
    {
        var cumulative = new long[_perBucket.Length];
        long running = 0;
        for (var i = 0; i < _perBucket.Length; i++)
        {
            running += _perBucket[i];
            cumulative[i] = running;
        }

        return cumulative;
    }

    public void Record(long timeMs)
    {
        Counter.Add(timeMs, _total);
        Histogram.Times.Add(timeMs);
        Histogram.CumulativeBuckets.Add(CumulativeBuckets());
        Histogram.Sums.Add(SumMs);
    }
}
