using System.Text.Json;
using PromotionBot.Manifest;
using PromotionBot.Policy;

namespace PromotionBot.Cluster;

/// <summary>A VirtualService as the API server returns it: its tracking annotation and its JSON (which is YAML).</summary>
public sealed record LiveVirtualService(string Name, TrackingId? Tracking, string Json)
{
    public static LiveVirtualService From(JsonElement json)
    {
        var metadata = json.TryGetProperty("metadata", out var m) && m.ValueKind == JsonValueKind.Object ? m : default;
        var name = metadata.ValueKind == JsonValueKind.Object && metadata.TryGetProperty("name", out var n) ? n.GetString() ?? "" : "";
        string? tracking = null;
        if (metadata.ValueKind == JsonValueKind.Object && metadata.TryGetProperty("annotations", out var annotations)
            && annotations.ValueKind == JsonValueKind.Object && annotations.TryGetProperty(TrackingId.Annotation, out var id)
            && id.ValueKind == JsonValueKind.String)
        {
            tracking = id.GetString();
        }

        return new LiveVirtualService(name, TrackingId.Parse(tracking), json.GetRawText());
    }

    /// <summary>
    /// The live weights of the policy's route, read by the same locator as the file in git (JSON is YAML), so
    /// "the only route naming both subsets" and "a destination without weight" mean the same in both places.
    /// </summary>
    /// <exception cref="RepoFileException">The live object lacks the route or subsets.</exception>
    public RouteWeights Weights(CanaryPolicy policy) =>
        VirtualServiceFile.ReadWeights($"cluster:{policy.Namespace}/{policy.VirtualService.Name}", Json,
            policy.VirtualService.Name, policy.VirtualService.Route, policy.Stable, policy.Canary);
}
