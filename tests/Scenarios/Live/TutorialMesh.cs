namespace Scenarios.Live;

/// <summary>
/// The tutorial's seven services in namespace ecommerce as a simulated mesh: their Service ports, pods as the Deployments'
/// replicas, the UI called by the ingress gateway and every backend by the UI; product-catalog and order-management with a
/// v2 subset. Every subset starts healthy. The canaries get enough requests for the shipped policies compressed ×20 (the
/// demo's 15 s / 30 s windows) to show at 20 % that v2 is no worse than v1: order-management's comparison at 99 % needs
/// about 1 400 error-free v2 requests per window, product-catalog's at 95 % about 800.
/// </summary>
public static class TutorialMesh
{
    public const string Namespace = "ecommerce";

    /// <param name="scale">Multiplies every request rate.</param>
    public static IReadOnlyList<MeshService> Services(double scale = 1) =>
    [
        Service("ecommerce-ui", 4000, 200 * scale, 20, canary: false, caller: "istio-ingressgateway"),
        Service("product-catalog", 3001, 400 * scale, 30, canary: true, v2LatencyMs: 35),
        Service("product-inventory", 3002, 100 * scale, 25, canary: false),
        Service("profile-management", 3003, 50 * scale, 25, canary: false),
        Service("order-management", 9090, 500 * scale, 120, canary: true, v2LatencyMs: 150, v1Pods: 2),
        Service("shipping-and-handling", 8080, 60 * scale, 40, canary: false),
        Service("contact-support-team", 8000, 10 * scale, 20, canary: false),
    ];

    private static MeshService Service(string name, int port, double rps, double latencyMs, bool canary, double? v2LatencyMs = null, int v1Pods = 1,
        string caller = "ecommerce-ui")
    {
        var subsets = new Dictionary<string, SubsetBehaviour>(StringComparer.Ordinal) { ["v1"] = new(LatencyMs: latencyMs, Pods: v1Pods) };
        if (canary)
        {
            subsets["v2"] = new SubsetBehaviour(LatencyMs: v2LatencyMs ?? latencyMs);
        }

        return new MeshService(Namespace, name, port, rps, subsets, caller);
    }
}
