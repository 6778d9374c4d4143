using Repository.Tests.Model;

namespace Repository.Tests.Invariants;

/// <summary>
/// Every namespace with sidecar injection accepts only mutual TLS: a STRICT PeerAuthentication covers it (in the
/// namespace or mesh-wide in the Istio root namespace) and nothing in the namespace weakens it.
/// </summary>
public static class StrictMtls
{
    public const string RootNamespace = "istio-system";

    /// <summary>Namespaces that get sidecars, with the object that says so (a Namespace or an Argo CD Application creating it).</summary>
    public static IReadOnlyDictionary<string, K8sObject> InjectedNamespaces(IReadOnlyList<K8sObject> objects)
    {
        static bool Injected(IReadOnlyDictionary<string, string> labels) =>
            (labels.TryGetValue("istio-injection", out var v) && v == "enabled") || labels.ContainsKey("istio.io/rev");
        var result = new Dictionary<string, K8sObject>(StringComparer.Ordinal);
        foreach (var ns in objects.Where(o => o.Kind == "Namespace" && o.ApiVersion == "v1" && Injected(o.Labels)))
        {
            result.TryAdd(ns.Name, ns);
        }
        foreach (var app in objects.Where(o => o.Is("argoproj.io", "Application")))
        {
            if (app.Body.Str("spec", "destination", "namespace") is { } ns && Injected(app.Body.StringMap("spec", "syncPolicy", "managedNamespaceMetadata", "labels")))
            {
                result.TryAdd(ns, app);
            }
        }
        return result;
    }

    public static IEnumerable<Violation> Check(IReadOnlyList<K8sObject> objects)
    {
        var policies = objects.Where(o => o.Is("security.istio.io", "PeerAuthentication")).ToList();
        static bool NamespaceWide(K8sObject pa) => pa.Body.Map("spec", "selector") is not { } s || s.Children.Count == 0;
        static string Mode(K8sObject pa) => pa.Body.Str("spec", "mtls", "mode") ?? "UNSET";
        var meshStrict = policies.Any(p => p.Namespace == RootNamespace && NamespaceWide(p) && Mode(p) == "STRICT");

        foreach (var (ns, declaredBy) in InjectedNamespaces(objects))
        {
            var inNamespace = policies.Where(p => p.Namespace == ns).ToList();
            var nsWide = inNamespace.Where(NamespaceWide).ToList();
            foreach (var weak in inNamespace.Where(p => Mode(p) is "PERMISSIVE" or "DISABLE"))
            {
                yield return weak.Violation(weak.Body.Get("spec", "mtls") ?? weak.Body, $"mtls mode {Mode(weak)} weakens STRICT mTLS in injected namespace {ns}");
            }
            foreach (var port in inNamespace.SelectMany(p => (p.Body.Map("spec", "portLevelMtls")?.Children.ToList() ?? []).Select(c => (Policy: p, Port: c.Key.ToString(), Mode: c.Value.Str("mode")))))
            {
                if (port.Mode is "PERMISSIVE" or "DISABLE")
                {
                    yield return port.Policy.Violation($"port {port.Port} mtls mode {port.Mode} weakens STRICT mTLS in injected namespace {ns}");
                }
            }
            var strictHere = nsWide.Any(p => Mode(p) == "STRICT");
            var inheritsMesh = meshStrict && nsWide.All(p => Mode(p) is "STRICT" or "UNSET");
            if (!strictHere && !inheritsMesh)
            {
                yield return declaredBy.Violation($"namespace {ns} has sidecar injection but no PeerAuthentication with mtls.mode STRICT covers it (in {ns} or mesh-wide in {RootNamespace})");
            }
        }
    }
}
