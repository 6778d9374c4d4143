namespace Repository.Tests.Invariants;

/// <summary>Istio's host resolution: a short name is a Service in the referring object's namespace.</summary>
public static class IstioHosts
{
    private const string ClusterSuffix = ".svc.cluster.local";

    public static string Resolve(string host, string referrerNamespace)
    {
        var parts = host.Split('.');
        return parts.Length switch
        {
            1 => $"{host}.{referrerNamespace}{ClusterSuffix}",
            2 => $"{host}{ClusterSuffix}",
            3 when parts[2] == "svc" => $"{host}.cluster.local",
            _ => host,
        };
    }

    /// <summary>The Service a resolved host names, or null for hosts outside the cluster.</summary>
    public static (string Name, string Namespace)? Service(string fqdn)
    {
        if (!fqdn.EndsWith(ClusterSuffix, StringComparison.Ordinal))
        {
            return null;
        }
        var parts = fqdn[..^ClusterSuffix.Length].Split('.');
        return parts.Length == 2 && parts[0] != "*" ? (parts[0], parts[1]) : null;
    }

    /// <summary>A DestinationRule host matches exactly, or as a "*.suffix" wildcard.</summary>
    public static bool Matches(string ruleHost, string fqdn) =>
        ruleHost == fqdn || (ruleHost.StartsWith("*.", StringComparison.Ordinal) && fqdn.EndsWith(ruleHost[1..], StringComparison.Ordinal)) || ruleHost == "*";
}
