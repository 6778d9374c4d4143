using System.Net;
using System.Text.Json;
using k8s;
using k8s.Autorest;

namespace PromotionBot.Cluster;

/// <summary>Read-only lookups of the custom objects gating needs; the only verb it uses is get.</summary>
public sealed class ClusterReader(IKubernetes client)
{
    public const string IstioGroup = "networking.istio.io";
    public const string IstioVersion = "v1";
    public const string VirtualServices = "virtualservices";
    public const string ArgoGroup = "argoproj.io";
    public const string ArgoVersion = "v1alpha1";
    public const string Applications = "applications";

    /// <summary>The live VirtualService, or null when the cluster has none of that name.</summary>
    public async Task<LiveVirtualService?> VirtualServiceAsync(string ns, string name, CancellationToken ct) =>
        await GetAsync(IstioGroup, IstioVersion, ns, VirtualServices, name, ct) is { } json ? LiveVirtualService.From(json) : null;

    /// <summary>The Argo CD Application, or null when there is none of that name.</summary>
    public async Task<ArgoApplication?> ApplicationAsync(string ns, string name, CancellationToken ct) =>
        await GetAsync(ArgoGroup, ArgoVersion, ns, Applications, name, ct) is { } json ? ArgoApplication.From(name, json) : null;

    private async Task<JsonElement?> GetAsync(string group, string version, string ns, string plural, string name, CancellationToken ct)
    {
        try
        {
            return await client.CustomObjects.GetNamespacedCustomObjectAsync<JsonElement>(group, version, ns, plural, name, ct);
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }
    }
}
