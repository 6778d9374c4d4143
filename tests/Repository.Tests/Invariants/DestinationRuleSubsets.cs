using Repository.Tests.Model;

namespace Repository.Tests.Invariants;

/// <summary>
/// Every DestinationRule subset selects the pods of at least one workload behind its host: the subset labels plus the
/// host Service's selector must all appear on one pod template in the Service's namespace.
/// </summary>
public static class DestinationRuleSubsets
{
    public static IEnumerable<Violation> Check(IReadOnlyList<K8sObject> objects)
    {
        var pods = PodTemplate.Serving(objects).ToList();
        var services = objects.Where(o => o.Kind == "Service" && o.ApiVersion == "v1")
            .GroupBy(s => (s.Name, s.Namespace)).ToDictionary(g => g.Key, g => g.First());
        foreach (var dr in objects.Where(o => o.Is("networking.istio.io", "DestinationRule")))
        {
            var fqdn = IstioHosts.Resolve(dr.Body.Str("spec", "host") ?? "", dr.Namespace);
            if (IstioHosts.Service(fqdn) is not { } target)
            {
                continue; // external or wildcard host: no pods of ours to select
            }
            var selector = services.TryGetValue(target, out var service) ? service.Body.StringMap("spec", "selector") : new Dictionary<string, string>();
            foreach (var subset in dr.Body.Seq("spec", "subsets"))
            {
                var required = new Dictionary<string, string>(selector, StringComparer.Ordinal);
                foreach (var (k, v) in subset.StringMap("labels"))
                {
                    required[k] = v;
                }
                if (!pods.Any(p => p.Owner.Namespace == target.Namespace && p.Selects(required)))
                {
                    var labels = string.Join(", ", required.Select(kv => $"{kv.Key}={kv.Value}"));
                    yield return dr.Violation(subset, $"subset '{subset.Str("name")}' selects no pods: no Deployment in namespace {target.Namespace} has pod labels {{{labels}}}");
                }
            }
        }
    }
}
