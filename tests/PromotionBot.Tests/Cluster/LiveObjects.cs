using System.Globalization;
using System.Text.Json.Nodes;
using PromotionBot.Cluster;

namespace PromotionBot.Tests.Cluster;

/// <summary>VirtualServices and Argo CD Applications shaped as the API server returns them, put into the test server.</summary>
public static class LiveObjects
{
    public const string ArgoNamespace = "argocd";
    public const string App = "ecommerce";

    public static void VirtualService(KubernetesTestServer server, string ns, int v1, int v2, string? trackingApp = App, string name = "product-catalog")
    {
        var metadata = new JsonObject { ["name"] = name };
        if (trackingApp is not null)
        {
            metadata["annotations"] = new JsonObject
            {
                [TrackingId.Annotation] = $"{trackingApp}:networking.istio.io/VirtualService:{ns}/{name}",
            };
        }

        server.Put(ClusterReader.IstioGroup, ClusterReader.IstioVersion, ns, ClusterReader.VirtualServices, new JsonObject
        {
            ["apiVersion"] = "networking.istio.io/v1",
            ["kind"] = "VirtualService",
            ["metadata"] = metadata,
            ["spec"] = new JsonObject
            {
                ["hosts"] = new JsonArray("product-catalog"),
                ["http"] = new JsonArray(new JsonObject
                {
                    ["name"] = "primary",
                    ["route"] = new JsonArray(
                        new JsonObject { ["destination"] = new JsonObject { ["host"] = "product-catalog", ["subset"] = "v1" }, ["weight"] = v1 },
                        new JsonObject { ["destination"] = new JsonObject { ["host"] = "product-catalog", ["subset"] = "v2" }, ["weight"] = v2 }),
                }),
            },
        });
    }

    /// <param name="finishedAt">status.operationState.finishedAt; null leaves the operation running (no finishedAt).</param>
    public static void Application(KubernetesTestServer server, string revision, DateTimeOffset? finishedAt, string sync = "Synced",
        string health = "Healthy", string phase = "Succeeded", string name = App)
    {
        var operation = new JsonObject
        {
            ["phase"] = phase,
            ["startedAt"] = Time((finishedAt ?? DateTimeOffset.UtcNow).AddSeconds(-5)),
            ["syncResult"] = new JsonObject { ["revision"] = revision },
        };
        if (finishedAt is { } f)
        {
            operation["finishedAt"] = Time(f);
        }

        server.Put(ClusterReader.ArgoGroup, ClusterReader.ArgoVersion, ArgoNamespace, ClusterReader.Applications, new JsonObject
        {
            ["apiVersion"] = "argoproj.io/v1alpha1",
            ["kind"] = "Application",
            ["metadata"] = new JsonObject { ["name"] = name },
            ["spec"] = new JsonObject { ["project"] = "default" },
            ["status"] = new JsonObject
            {
                ["sync"] = new JsonObject { ["status"] = sync, ["revision"] = revision },
                ["health"] = new JsonObject { ["status"] = health },
                ["operationState"] = operation,
                ["reconciledAt"] = Time(DateTimeOffset.UtcNow),
            },
        });
    }

    private static string Time(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);
}
