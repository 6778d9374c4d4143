namespace Scenarios;

/// <summary>The mesh service a scenario simulates: Kubernetes namespace/Service, its port, and the two subsets (pod <c>version</c> labels).</summary>
public sealed record CanaryTarget(string Namespace, string Service, int Port, string Stable = "v1", string Canary = "v2")
{
    public string Fqdn => $"{Service}.{Namespace}.svc.cluster.local";

    /// <summary>Envoy cluster name of one subset as a client sidecar names it (Istio's BuildSubsetKey).</summary>
    public string OutboundCluster(string subset) => $"outbound|{Port}|{subset}|{Fqdn}";
}
