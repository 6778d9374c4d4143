using System.Globalization;
using System.Text.RegularExpressions;
using Scenarios.Live;

namespace Demo.Orchestration;

/// <summary>
/// The tutorial's seven services as this repository deploys them (apps/ecommerce/base/workloads: names and ports) and
/// the traffic the simulator gives them. The canaries get v1 and v2; everything else runs v1 only.
/// </summary>
public static partial class TutorialShop
{
    public const string Namespace = "ecommerce";

    /// <summary>Name, port and requests per second of the services that are not canaries.</summary>
    private static readonly (string Name, int Port, double Rps)[] Services =
    [
        ("ecommerce-ui", 4000, 40),
        ("product-catalog", 3001, 100),
        ("product-inventory", 3002, 30),
        ("profile-management", 3003, 20),
        ("order-management", 9090, 30),
        ("shipping-and-handling", 8080, 20),
        ("contact-support-team", 8000, 5),
    ];

    public static IReadOnlyList<MeshService> MeshServices(Storyline story) =>
        Services.Select(s => story.Canaries.FirstOrDefault(c => c.Service == s.Name) is { } canary
                ? new MeshService(Namespace, s.Name, s.Port, canary.RequestsPerSecond,
                    new Dictionary<string, SubsetBehaviour> { ["v1"] = new(), ["v2"] = new() })
                : new MeshService(Namespace, s.Name, s.Port, s.Rps,
                    new Dictionary<string, SubsetBehaviour> { ["v1"] = new() },
                    Caller: s.Name == "ecommerce-ui" ? "istio-ingressgateway" : "ecommerce-ui"))
            .ToList();

    /// <summary>
    /// The analysis window of each canary's promotion policy under <paramref name="repositoryRoot"/>/apps (policy name →
    /// window), for the live view's queries. The bot's policy loader is the authority; this only reads the one field.
    /// </summary>
    public static IReadOnlyDictionary<string, TimeSpan> PolicyWindows(string repositoryRoot)
    {
        var windows = new Dictionary<string, TimeSpan>(StringComparer.Ordinal);
        foreach (var file in Directory.EnumerateFiles(Path.Combine(repositoryRoot, "apps"), "promotion-policy.yaml", SearchOption.AllDirectories))
        {
            var text = File.ReadAllText(file);
            if (PolicyName().Match(text) is { Success: true } name)
            {
                windows[name.Groups[1].Value] = Window().Match(text) is { Success: true } w ? Duration(w.Groups[1].Value, w.Groups[2].Value) : TimeSpan.FromMinutes(10);
            }
        }

        return windows;
    }

    private static TimeSpan Duration(string number, string unit)
    {
        var n = double.Parse(number, CultureInfo.InvariantCulture);
        return unit switch { "h" => TimeSpan.FromHours(n), "m" => TimeSpan.FromMinutes(n), _ => TimeSpan.FromSeconds(n) };
    }

    [GeneratedRegex(@"(?m)^metadata:\s*\n\s+name:\s*([A-Za-z0-9.-]+)")]
    private static partial Regex PolicyName();

    [GeneratedRegex(@"(?m)^\s+window:\s*([0-9]+)(h|m|s)\s*$")]
    private static partial Regex Window();
}
