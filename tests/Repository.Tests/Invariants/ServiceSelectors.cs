using Repository.Tests.Model;

namespace Repository.Tests.Invariants;

/// <summary>Every Service with a selector selects the pod template of at least one workload in its namespace.</summary>
public static class ServiceSelectors
{
    public static IEnumerable<Violation> Check(IReadOnlyList<K8sObject> objects)
    {
        var pods = PodTemplate.Serving(objects).ToList();
        foreach (var service in objects.Where(o => o.Kind == "Service" && o.ApiVersion == "v1"))
        {
            var selector = service.Body.StringMap("spec", "selector");
            if (selector.Count == 0 || service.Body.Str("spec", "type") == "ExternalName")
            {
                continue; // endpoints managed elsewhere
            }
            if (!pods.Any(p => p.Owner.Namespace == service.Namespace && p.Selects(selector)))
            {
                var labels = string.Join(", ", selector.Select(kv => $"{kv.Key}={kv.Value}"));
                yield return service.Violation(service.Body.Get("spec", "selector")!, $"selector {{{labels}}} matches no Deployment's pod labels in namespace {service.Namespace}");
            }
        }
    }
}
