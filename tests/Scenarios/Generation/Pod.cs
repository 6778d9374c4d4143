using System.Globalization;
using System.Text;

namespace Scenarios.Generation;

/// <summary>
/// A scraped pod and the target labels Istio's sample Prometheus config (job kubernetes-pods) attaches to everything it exports.
/// Names and IPs are derived from a stable hash so the same scenario always produces the same series.
/// <paramref name="Replica"/> tells apart pods of one Deployment (0 is the only pod of the backfilled scenarios).
/// </summary>
internal sealed record Pod(string Namespace, string App, string Version, string Workload, int Replica = 0)
{
    public string TemplateHash => Hash($"{Namespace}/{Workload}", 10, "bcdfghjklmnpqrstvwxz2456789");

    public string Name => $"{Workload}-{TemplateHash}-{Hash($"{Namespace}/{Workload}/pod{(Replica == 0 ? "" : Replica.ToString(CultureInfo.InvariantCulture))}", 5, "bcdfghjklmnpqrstvwxz2456789")}";

    public string Ip
    {
        get
        {
            var h = Fnv($"{Namespace}/{Name}");
            return string.Create(CultureInfo.InvariantCulture, $"10.{(h >> 16) & 0xff}.{(h >> 8) & 0xff}.{(h & 0xfd) + 2}");
        }
    }

    public IEnumerable<KeyValuePair<string, string>> ScrapeLabels() =>
    [
        new("app", App),
        new("instance", $"{Ip}:15020"),
        new("job", "kubernetes-pods"),
        new("namespace", Namespace),
        new("pod", Name),
        new("pod_template_hash", TemplateHash),
        new("security_istio_io_tlsMode", "istio"),
        new("service_istio_io_canonical_name", App),
        new("service_istio_io_canonical_revision", Version),
        new("version", Version),
    ];

    private static uint Fnv(string s)
    {
        var h = 2166136261u;
        foreach (var ch in s)
        {
            h = unchecked((h ^ ch) * 16777619u);
        }

        return h;
    }

    private static string Hash(string s, int length, string alphabet)
    {
        var h = (ulong)Fnv(s) << 32 | Fnv(s + "#");
        var sb = new StringBuilder(length);
        for (var i = 0; i < length; i++)
        {
            sb.Append(alphabet[(int)(h % (ulong)alphabet.Length)]);
            h /= (ulong)alphabet.Length;
            if (h == 0)
            {
                h = Fnv(s + i.ToString(CultureInfo.InvariantCulture));
            }
        }

        return sb.ToString();
    }
}
