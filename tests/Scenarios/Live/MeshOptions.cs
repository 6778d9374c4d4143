namespace Scenarios.Live;

/// <summary>What the simulated mesh serves: its services, and where each service's live traffic split comes from.</summary>
/// <param name="Services">Service names must be unique (behaviours and live weights are looked up by name).</param>
/// <param name="LiveWeights">Service name → subset → weight, asked at every scrape so the split follows the live cluster;
/// null (or all weights 0) sends everything to the service's first subset. An exception keeps the previous split.</param>
/// <param name="Time">Clock the counters advance on; the system clock when null.</param>
public sealed record MeshOptions(
    IReadOnlyList<MeshService> Services,
    Func<string, IReadOnlyDictionary<string, int>?> LiveWeights,
    TimeProvider? Time = null);

/// <summary>One Kubernetes Service of the mesh, its subsets (pod <c>version</c> labels) and the workload calling it.</summary>
/// <param name="Port">Service port, as in Envoy's cluster name <c>outbound|port|subset|fqdn</c>.</param>
/// <param name="RequestsPerSecond">Requests the caller sends to the service, split between the subsets by the live weights.</param>
/// <param name="Subsets">Subset name → initial behaviour, in order (the first one gets everything when no weights are known).</param>
/// <param name="Caller">The calling workload (app label, version v1), whose sidecar reports reporter="source" and the Envoy cluster stats.</param>
public sealed record MeshService(
    string Namespace,
    string Name,
    int Port,
    double RequestsPerSecond,
    IReadOnlyDictionary<string, SubsetBehaviour> Subsets,
    string Caller = "ecommerce-ui");

/// <summary>How one subset behaves from the moment it is set. Every field is a rate or a state, never a count.</summary>
/// <param name="ErrorRatio">Share of the requests its pods answer with <paramref name="ErrorCode"/> themselves (flags "-", both reporters).</param>
/// <param name="LatencyMs">Typical latency; the histogram spreads requests around it (p99 lands at about 2–4 ×).</param>
/// <param name="Ejected">While the subset gets traffic, the callers' Envoy has ejected every pod of it (maxEjectionPercent 100,
/// as the repository's DestinationRule sets): ejections_active = Pods, ejections_enforced counts again each 30 s base
/// ejection time, no healthy member, and the subset's share of requests fails in the caller with 503 UH (Istio sets no
/// panic threshold). Without traffic (weight 0) nothing fails again: the pods come back 30 s after the last ejection.</param>
/// <param name="OverflowPerSecond">Requests the callers' Envoy rejects with 503 UO (pending overflow on the subset's cluster)
/// while the subset gets traffic; they are taken from its share.</param>
/// <param name="Crashed">The pods crash-loop: none is ready, so Envoy knows no member; callers answer the subset's share
/// themselves (503 UH, some UF,URX), with destination_version "unknown"; the pods report nothing.</param>
/// <param name="Pods">Pods of the subset; each reports its own destination-side series.</param>
/// <param name="ErrorCode">HTTP status of the app's own errors.</param>
public sealed record SubsetBehaviour(
    double ErrorRatio = 0,
    double LatencyMs = 30,
    bool Ejected = false,
    double OverflowPerSecond = 0,
    bool Crashed = false,
    int Pods = 1,
    int ErrorCode = 500);
