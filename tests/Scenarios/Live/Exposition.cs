using System.Globalization;
using System.Text;
using Scenarios.Generation;

namespace Scenarios.Live;

/// <summary>
/// Prometheus text exposition format 0.0.4, as an Istio sidecar's merged /metrics serves it: one block per metric family
/// (TYPE line, then its samples), no timestamps (Prometheus stamps the scrape). Families come out in the order first used.
/// </summary>
internal sealed class Exposition
{
    public const string ContentType = "text/plain; version=0.0.4; charset=utf-8";

    private readonly List<(string Family, string Type, StringBuilder Lines)> _families = [];

    public void Counter(string name, string labels, double value) => Sample(name, "counter", name, labels, value);

    public void Gauge(string name, string labels, double value) => Sample(name, "gauge", name, labels, value);

    public void Histogram(string family, string labels, long[] cumulativeBuckets, double sum)
    {
        var lines = Family(family, "histogram");
        var sep = labels.Length > 0 ? "," : "";
        for (var b = 0; b < cumulativeBuckets.Length; b++)
        {
            lines.Append(family).Append("_bucket{").Append(labels).Append(sep).Append("le=\"").Append(EnvoyBuckets.Le[b]).Append("\"} ")
                .Append(cumulativeBuckets[b].ToString(CultureInfo.InvariantCulture)).Append('\n');
        }

        lines.Append(family).Append("_sum{").Append(labels).Append("} ").Append(Number(sum)).Append('\n');
        lines.Append(family).Append("_count{").Append(labels).Append("} ").Append(cumulativeBuckets[^1].ToString(CultureInfo.InvariantCulture)).Append('\n');
    }

    public override string ToString()
    {
        var sb = new StringBuilder(_families.Sum(f => f.Lines.Length + 64));
        foreach (var (family, type, lines) in _families)
        {
            sb.Append("# TYPE ").Append(family).Append(' ').Append(type).Append('\n').Append(lines);
        }

        return sb.ToString();
    }

    private void Sample(string family, string type, string name, string labels, double value) =>
        Family(family, type).Append(name).Append('{').Append(labels).Append("} ").Append(Number(value)).Append('\n');

    private StringBuilder Family(string family, string type)
    {
        foreach (var f in _families)
        {
            if (f.Family == family)
            {
                return f.Lines;
            }
        }

        var lines = new StringBuilder(4096);
        _families.Add((family, type, lines));
        return lines;
    }

    private static string Number(double v) => v.ToString("R", CultureInfo.InvariantCulture);
}
