using Repository.Tests.Model;
using YamlDotNet.RepresentationModel;

namespace Repository.Tests.Invariants;

/// <summary>Every VirtualService route splits exactly 100% of its traffic (a lone destination without weight counts as 100).</summary>
public static class VirtualServiceWeights
{
    public static IEnumerable<Violation> Check(IReadOnlyList<K8sObject> objects)
    {
        foreach (var vs in objects.Where(o => o.Is("networking.istio.io", "VirtualService")))
        {
            foreach (var protocol in new[] { "http", "tcp", "tls" })
            {
                var routes = vs.Body.Seq("spec", protocol);
                for (var i = 0; i < routes.Count; i++)
                {
                    var destinations = routes[i].Seq("route");
                    if (destinations.Count == 0)
                    {
                        continue; // redirect or direct response: nothing is split
                    }
                    var label = routes[i].Str("name") is { } name ? $"{protocol}[{i}] ({name})" : $"{protocol}[{i}]";
                    if (destinations.Count == 1 && destinations[0].Get("weight") is null)
                    {
                        continue;
                    }
                    var weights = destinations.Select(d => (Host: d.Str("destination", "host"), Subset: d.Str("destination", "subset"), Raw: d.Str("weight"))).ToList();
                    var invalid = weights.Where(w => w.Raw is not null && !int.TryParse(w.Raw, out _)).ToList();
                    if (invalid.Count > 0)
                    {
                        yield return vs.Violation(routes[i], $"{label} has a non-integer weight '{invalid[0].Raw}'");
                        continue;
                    }
                    var sum = weights.Sum(w => w.Raw is null ? 0 : int.Parse(w.Raw));
                    if (sum != 100)
                    {
                        var parts = string.Join(" + ", weights.Select(w => $"{w.Host}{(w.Subset is null ? "" : "/" + w.Subset)}={w.Raw ?? "unset"}"));
                        yield return vs.Violation(routes[i], $"{label} route weights sum to {sum}, not 100 ({parts})");
                    }
                }
            }
        }
    }

    /// <summary>Every destination a VirtualService sends traffic (or mirrors) to.</summary>
    public static IEnumerable<YamlNode> Destinations(K8sObject vs)
    {
        foreach (var protocol in new[] { "http", "tcp", "tls" })
        {
            foreach (var route in vs.Body.Seq("spec", protocol))
            {
                foreach (var d in route.Seq("route"))
                {
                    if (d.Get("destination") is { } destination)
                    {
                        yield return destination;
                    }
                }
                if (route.Get("mirror") is { } mirror)
                {
                    yield return mirror;
                }
                foreach (var m in route.Seq("mirrors"))
                {
                    if (m.Get("destination") is { } destination)
                    {
                        yield return destination;
                    }
                }
            }
        }
    }
}
