namespace PromotionBot.Policy;

/// <summary>One canary's promotion policy, as declared in a <c>promotion-policy.yaml</c> next to the canary.</summary>
/// <param name="Name">Canary name, unique in the repository (defaults to the service name).</param>
/// <param name="Namespace">Kubernetes namespace of the service (Istio's <c>destination_service_namespace</c>).</param>
/// <param name="Service">Kubernetes Service name (Istio's <c>destination_service_name</c>).</param>
/// <param name="PolicyFile">Repository-relative path of the policy file (forward slashes).</param>
/// <param name="VirtualService">The VirtualService route the bot may edit.</param>
/// <param name="Stable">Stable subset name (e.g. v1).</param>
/// <param name="Canary">Canary subset name (e.g. v2).</param>
/// <param name="Steps">Ascending canary weights, ending at 100 (e.g. 20, 50, 100).</param>
public sealed record CanaryPolicy(
    string Name,
    string Namespace,
    string Service,
    string PolicyFile,
    VirtualServiceTarget VirtualService,
    string Stable,
    string Canary,
    IReadOnlyList<int> Steps,
    AnalysisSettings Analysis,
    CircuitBreakingSettings CircuitBreaking)
{
    /// <summary>Pod <c>version</c> label of the stable subset's pods (what Istio reports as destination_version); the subset name unless mapped.</summary>
    public string StableVersion { get; init; } = Stable;

    /// <summary>Pod <c>version</c> label of the canary subset's pods; the subset name unless mapped (<c>subsets.canary: {name: v2, version: "2.0.0"}</c>).</summary>
    public string CanaryVersion { get; init; } = Canary;

    /// <summary>Istio's fully qualified host, as it appears in Envoy's <c>cluster_name</c>.</summary>
    public string Fqdn => $"{Service}.{Namespace}.svc.cluster.local";

    /// <summary>spec.argocd.application: the Argo CD Application that syncs the VirtualService, when the live object's
    /// tracking annotation cannot name it (e.g. label tracking). Null = use the annotation.</summary>
    public string? ArgoCdApplication { get; init; }
}

/// <param name="File">Repository-relative path of the VirtualService manifest (forward slashes).</param>
/// <param name="Name">metadata.name of the VirtualService inside that file.</param>
/// <param name="Route">Name of the http route to edit; null means the only http route that names both subsets.</param>
public sealed record VirtualServiceTarget(string File, string Name, string? Route);

/// <param name="Window">Look-back window of every signal, ending at the evaluation time.</param>
/// <param name="MinRequests">Canary requests needed in the window before any advance (default 100).</param>
/// <param name="MaxErrorRate">Ceiling of the 5xx ratio (0..1).</param>
/// <param name="MaxP99LatencyMs">Ceiling of the p99 latency in milliseconds.</param>
/// <param name="Interval">Length of one sub-interval used to judge persistence of a breach.</param>
/// <param name="FailureThreshold">A metric breach must hold in this many consecutive intervals (ending now) before it forces a rollback; shorter breaches hold.</param>
/// <param name="MaxStaleness">Newest sample older than this (relative to the evaluation time) means metrics are stale.</param>
public sealed record AnalysisSettings(
    TimeSpan Window,
    long MinRequests,
    double MaxErrorRate,
    double MaxP99LatencyMs,
    TimeSpan Interval,
    int FailureThreshold,
    TimeSpan MaxStaleness)
{
    /// <summary>v2 against v1 (analysis.comparison); on by default.</summary>
    public ComparisonSettings Comparison { get; init; } = ComparisonSettings.Default;

    /// <summary>The factor the durations above were divided by when the policy loaded (<see cref="PolicyTimeScale"/>); 1 = as written.</summary>
    public double TimeScale { get; init; } = PolicyTimeScale.None;
}

/// <param name="Enabled">Compare v2 with v1 at all (default true).</param>
/// <param name="MaxErrorRateIncrease">Allowed v2 − v1 difference of 5xx proportions (0.005 = 0.5 percentage points).</param>
/// <param name="Confidence">Confidence of the interval for the difference (default 0.99).</param>
/// <param name="MaxLatencyIncreaseRatio">Optional ceiling for p99 v2 / p99 v1 (e.g. 1.2); null: not compared.</param>
public sealed record ComparisonSettings(bool Enabled, double MaxErrorRateIncrease, double Confidence, double? MaxLatencyIncreaseRatio)
{
    public static readonly ComparisonSettings Default = new(true, 0.005, 0.99, null);
}

/// <param name="OutlierEjection">Any ejection of a canary host (active or enforced in the window) is circuit breaking.</param>
/// <param name="ConnectionPoolOverflow">Any pending/connection overflow on the canary cluster, or UO responses attributed to it, is circuit breaking.</param>
public sealed record CircuitBreakingSettings(bool OutlierEjection, bool ConnectionPoolOverflow);
