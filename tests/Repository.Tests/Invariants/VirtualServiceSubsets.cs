using Repository.Tests.Model;

namespace Repository.Tests.Invariants;

/// <summary>Every subset a VirtualService routes to is defined by a DestinationRule for that host (else Envoy answers 503 NC).</summary>
public static class VirtualServiceSubsets
{
    public static IEnumerable<Violation> Check(IReadOnlyList<K8sObject> objects)
    {
        var rules = objects.Where(o => o.Is("networking.istio.io", "DestinationRule"))
            .Select(dr => (Host: IstioHosts.Resolve(dr.Body.Str("spec", "host") ?? "", dr.Namespace),
                Subsets: dr.Body.Seq("spec", "subsets").Select(s => s.Str("name")).OfType<string>().ToHashSet(StringComparer.Ordinal)))
            .ToList();
        foreach (var vs in objects.Where(o => o.Is("networking.istio.io", "VirtualService")))
        {
            foreach (var destination in VirtualServiceWeights.Destinations(vs))
            {
                if (destination.Str("subset") is not { } subset || destination.Str("host") is not { } host)
                {
                    continue;
                }
                var fqdn = IstioHosts.Resolve(host, vs.Namespace);
                var matching = rules.Where(r => IstioHosts.Matches(r.Host, fqdn)).ToList();
                if (matching.Count == 0)
                {
                    yield return vs.Violation(destination, $"routes to subset '{subset}' of {fqdn}, but no DestinationRule has host {fqdn}");
                }
                else if (!matching.Any(r => r.Subsets.Contains(subset)))
                {
                    var defined = string.Join(", ", matching.SelectMany(r => r.Subsets).Order(StringComparer.Ordinal));
                    yield return vs.Violation(destination, $"routes to subset '{subset}' of {fqdn}, but its DestinationRule defines only [{defined}]");
                }
            }
        }
    }
}
