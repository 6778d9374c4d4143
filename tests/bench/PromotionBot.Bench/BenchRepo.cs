using Scenarios;

namespace PromotionBot.Bench;

/// <summary>A GitOps checkout holding the first N fleet canaries (policy + VirtualService at 80/20 each).</summary>
internal sealed class BenchRepo : IDisposable
{
    public BenchRepo(IEnumerable<CanaryTarget> targets)
    {
        foreach (var t in targets)
        {
            var dir = Path.Combine(Root, "apps", t.Namespace, t.Service);
            Directory.CreateDirectory(dir);
            File.WriteAllText(Path.Combine(dir, "promotion-policy.yaml"), $"""
                apiVersion: promotion.gitops.dev/v1alpha1
                kind: PromotionPolicy
                metadata:
                  name: {t.Namespace}-{t.Service}
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
                    window: 5m
                    interval: 1m
                    failureThreshold: 3
                    minRequests: 100
                    maxErrorRate: 0.01
                    maxP99LatencyMs: 500
                    maxStaleness: 2m

                """);
            File.WriteAllText(Path.Combine(dir, "virtualservice.yaml"), $"""
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
                        subset: {t.Stable}
                      weight: 80
                    - destination:
                        host: {t.Service}
                        subset: {t.Canary}
                      weight: 20

                """);
        }
    }

    public string Root { get; } = Path.Combine(Path.GetTempPath(), "bench-repo-" + Guid.NewGuid().ToString("N")[..12]);

    public void Dispose() => Directory.Delete(Root, recursive: true);
}
