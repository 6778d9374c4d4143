namespace PromotionBot.Metrics;

/// <summary>Istio's Envoy cluster name "direction|port|subset|fqdn", e.g. outbound|9090|v2|order-management.ecommerce.svc.cluster.local.</summary>
public sealed record EnvoyCluster(string Direction, int Port, string Subset, string Host)
{
    public static EnvoyCluster? TryParse(string name)
    {
        var parts = name.Split('|');
        return parts.Length == 4 && int.TryParse(parts[1], out var port)
            ? new EnvoyCluster(parts[0], port, parts[2], parts[3])
            : null;
    }
}
