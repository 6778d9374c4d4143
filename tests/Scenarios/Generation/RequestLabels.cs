using System.Globalization;

namespace Scenarios.Generation;

/// <summary>The Istio standard-metric label vector for each kind of request series, plus the scraped pod's labels.</summary>
internal static class RequestLabels
{
    /// <summary>Reported by the server sidecar of <paramref name="server"/>: destination_version is the pod's own version label.</summary>
    public static string Destination(CanaryTarget t, string subset, int code, Pod caller, Pod server) =>
        LabelSet.Render(Common("destination", caller, code, "-", "mutual_tls")
            .Concat(Peer(t, subset))
            .Concat(server.ScrapeLabels()));

    /// <summary>Reported by the caller's sidecar; destination_* come from peer metadata; scrape labels are the CALLER's.</summary>
    public static string Source(CanaryTarget t, string subset, int code, Pod caller) =>
        LabelSet.Render(Common("source", caller, code, "-", "unknown")
            .Concat(Peer(t, subset))
            .Concat(caller.ScrapeLabels()));

    /// <summary>
    /// Requests the caller's Envoy answered itself (UO overflow, UH no healthy upstream, UF,URX connect failures): no host was picked, so no peer metadata; only the service
    /// labels from the cluster metadata survive, everything workload-specific is "unknown".
    /// </summary>
    public static string SourceLocalFailure(CanaryTarget t, Pod caller, string flags) =>
        LabelSet.Render(Common("source", caller, 503, flags, "unknown")
            .Concat(
            [
                new("destination_app", "unknown"),
                new("destination_canonical_revision", "latest"),
                new("destination_canonical_service", "unknown"),
                new("destination_cluster", "unknown"),
                new("destination_principal", "unknown"),
                new("destination_service", t.Fqdn),
                new("destination_service_name", t.Service),
                new("destination_service_namespace", t.Namespace),
                new("destination_version", "unknown"),
                new("destination_workload", "unknown"),
                new("destination_workload_namespace", "unknown"),
            ])
            .Concat(caller.ScrapeLabels()));

    private static IEnumerable<KeyValuePair<string, string>> Common(string reporter, Pod caller, int code, string flags, string security) =>
    [
        new("reporter", reporter),
        new("source_app", caller.App),
        new("source_canonical_revision", caller.Version),
        new("source_canonical_service", caller.App),
        new("source_cluster", "Kubernetes"),
        new("source_principal", $"spiffe://cluster.local/ns/{caller.Namespace}/sa/{caller.App}"),
        new("source_version", caller.Version),
        new("source_workload", caller.Workload),
        new("source_workload_namespace", caller.Namespace),
        new("request_protocol", "http"),
        new("response_code", code.ToString(CultureInfo.InvariantCulture)),
        new("response_flags", flags),
        new("connection_security_policy", security),
        new("grpc_response_status", ""),
    ];

    private static IEnumerable<KeyValuePair<string, string>> Peer(CanaryTarget t, string subset) =>
    [
        new("destination_app", t.Service),
        new("destination_canonical_revision", subset),
        new("destination_canonical_service", t.Service),
        new("destination_cluster", "Kubernetes"),
        new("destination_principal", $"spiffe://cluster.local/ns/{t.Namespace}/sa/{t.Service}"),
        new("destination_service", t.Fqdn),
        new("destination_service_name", t.Service),
        new("destination_service_namespace", t.Namespace),
        new("destination_version", subset),
        new("destination_workload", $"{t.Service}-{subset}"),
        new("destination_workload_namespace", t.Namespace),
    ];
}
