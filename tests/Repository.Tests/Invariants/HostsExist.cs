using Repository.Tests.Model;

namespace Repository.Tests.Invariants;

/// <summary>
/// Every in-cluster host a VirtualService routes to, or a DestinationRule configures, is a Service that exists: a typo
/// would otherwise route nowhere, or leave a rule (and its circuit breaker) silently unused. Namespaces whose objects
/// come from Helm/remote layers are skipped, since their Services are only visible after a CI render.
/// </summary>
public static class HostsExist
{
    public static IEnumerable<Violation> Check(IReadOnlyList<K8sObject> objects, IReadOnlySet<string> opaqueNamespaces)
    {
        var services = objects.Where(o => o.Kind == "Service" && o.ApiVersion == "v1").Select(s => (s.Name, s.Namespace)).ToHashSet();
        var hosts = objects.Where(o => o.Is("networking.istio.io", "VirtualService"))
            .SelectMany(vs => VirtualServiceWeights.Destinations(vs).Select(d => (Owner: vs, Node: d, Host: d.Str("host"))))
            .Concat(objects.Where(o => o.Is("networking.istio.io", "DestinationRule"))
                .Select(dr => (Owner: dr, Node: dr.Body.Get("spec", "host") ?? dr.Body, Host: dr.Body.Str("spec", "host"))));
        foreach (var (owner, node, host) in hosts)
        {
            if (host is null)
            {
                yield return owner.Violation(node, "has a destination without host");
                continue;
            }
            var fqdn = IstioHosts.Resolve(host, owner.Namespace);
            if (IstioHosts.Service(fqdn) is { } service && !opaqueNamespaces.Contains(service.Namespace) && !services.Contains(service))
            {
                yield return owner.Violation(node, $"host {fqdn} names Service {service.Namespace}/{service.Name}, which does not exist");
            }
        }
    }
}
