namespace Scenarios.Catalog;

/// <summary>
/// The tutorial's two canaries in namespace ecommerce as the repository's policies describe them:
/// product-catalog v2 healthy at 20% (→ advance), order-management v2 tripping its circuit breaker (→ rollback).
/// </summary>
public static class TutorialScenario
{
    public static readonly CanaryTarget ProductCatalog = new("ecommerce", "product-catalog", 3001);
    public static readonly CanaryTarget OrderManagement = new("ecommerce", "order-management", 9090);

    public static ScenarioSet Build(DateTimeOffset? at = null) => AddTo(new ScenarioSet(at ?? ScenarioSet.DefaultAt));

    /// <summary>Adds both tutorial services (namespace ecommerce) to a set that may hold other namespaces too.</summary>
    public static ScenarioSet AddTo(ScenarioSet set)
    {

        // 80/20 split, both subsets fast and clean; demo traffic (about 1200 v2 requests in 10 minutes), which the repository's
        // policy compares with v1 at 95 % confidence.
        set.Canary(ProductCatalog)
            .Traffic("v1", 8, errorRatio: 0.001, latencyMs: 30)
            .Traffic("v2", 2, errorRatio: 0.001, latencyMs: 35);

        // v2 starts failing: its own 5xx make the caller's Envoy eject the v2 pod, and the v2 connection pool overflows (UO).
        set.Canary(OrderManagement)
            .Traffic("v1", 4, latencyMs: 120)
            .Traffic("v2", 1, latencyMs: 150)
            .LastMinutes(6, "v2", t => t with { ErrorRatio = 0.3, ErrorCode = 503, OverflowPerSecond = 0.5 })
            .LastMinutes(3, "v2", t => t with { RequestsPerSecond = 0.2, EjectedHosts = 1 });
        return set;
    }
}
