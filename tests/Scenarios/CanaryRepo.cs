using System.Globalization;

namespace Scenarios;

/// <summary>A throw-away GitOps checkout: apps/&lt;name&gt;/promotion-policy.yaml + virtualservice.yaml + destination-rule.yaml per canary.</summary>
public sealed class CanaryRepo : IDisposable
{
    public CanaryRepo()
    {
        Directory.CreateDirectory(Path.Combine(Root, "apps"));
    }

    public string Root { get; } = Path.Combine(Path.GetTempPath(), "canary-repo-" + Guid.NewGuid().ToString("N")[..12]);

    /// <summary>Adds a canary with the policy format's defaults (window 10m, interval 1m, failureThreshold 3, minRequests 100, 1%, 500 ms, 2m).</summary>
    /// <param name="destinationRuleOverride">Replaces the default DestinationRule (both subsets, connection pool, outlier detection).</param>
    public CanaryRepo Add(string name, CanaryTarget target, int stableWeight, int canaryWeight, string? policyOverride = null, string window = "10m",
        string? destinationRuleOverride = null, string interval = "1m", int failureThreshold = 3)
    {
        var dir = Path.Combine(Root, "apps", name);
        Directory.CreateDirectory(dir);
        File.WriteAllText(Path.Combine(dir, "promotion-policy.yaml"), policyOverride ?? Policy(name, target, window: window, interval: interval, failureThreshold: failureThreshold));
        File.WriteAllText(Path.Combine(dir, "virtualservice.yaml"), VirtualService(target, stableWeight, canaryWeight));
        File.WriteAllText(Path.Combine(dir, "destination-rule.yaml"), destinationRuleOverride ?? DestinationRule(target));
        return this;
    }

    public static string Policy(string name, CanaryTarget t, string maxErrorRate = "0.01", string window = "10m", string interval = "1m", int failureThreshold = 3) => $"""
        apiVersion: promotion.gitops.dev/v1alpha1
        kind: PromotionPolicy
        metadata:
          name: {name}
        spec:
          target:
            namespace: {t.Namespace}
            service: {t.Service}
          virtualService:
            file: virtualservice.yaml
            name: {t.Service}
          subsets:
            stable: {t.Stable}
            canary: {t.Canary}
          steps: [20, 50, 100]
          analysis:
            window: {window}
            interval: {interval}
            failureThreshold: {failureThreshold}
            minRequests: 100
            maxErrorRate: {maxErrorRate}
            maxP99LatencyMs: 500
            maxStaleness: 2m
          circuitBreaking:
            outlierEjection: true
            connectionPoolOverflow: true

        """;

    /// <summary>Both subsets plus the tutorial's circuit breaker, so the policy's circuit-breaking checks have their Envoy features.</summary>
    public static string DestinationRule(CanaryTarget t) => $"""
        apiVersion: networking.istio.io/v1
        kind: DestinationRule
        metadata:
          name: {t.Service}
          namespace: {t.Namespace}
        spec:
          host: {t.Service}
          trafficPolicy:
            connectionPool:
              tcp:
                maxConnections: 100
              http:
                http1MaxPendingRequests: 10
            outlierDetection:
              consecutive5xxErrors: 5
              interval: 30s
              baseEjectionTime: 30s
          subsets:
          - name: {t.Stable}
            labels:
              version: {t.Stable}
          - name: {t.Canary}
            labels:
              version: {t.Canary}

        """;

    private static string VirtualService(CanaryTarget t, int stable, int canary) => string.Create(CultureInfo.InvariantCulture, $"""
        apiVersion: networking.istio.io/v1
        kind: VirtualService
        metadata:
          name: {t.Service}
          namespace: {t.Namespace}
        spec:
          hosts:
          - {t.Service}
          http:
          - route:
            - destination:
                host: {t.Service}
                port:
                  number: {t.Port}
                subset: {t.Stable}
              weight: {stable}
            - destination:
                host: {t.Service}
                port:
                  number: {t.Port}
                subset: {t.Canary}
              weight: {canary}

        """);

    public void Dispose()
    {
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
