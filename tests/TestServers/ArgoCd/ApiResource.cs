using System.Text.Json.Nodes;

namespace TestServers.ArgoCd;

/// <summary>Where the API server keeps an object: group, version and plural resource name, from apiVersion and kind.</summary>
internal sealed record ApiResource(string Group, string Version, string Kind, string Plural)
{
    // Kinds without a namespace; the test server stores namespaced objects only, and none of these matter to the bot.
    private static readonly HashSet<string> ClusterScoped =
    [
        "Namespace", "ClusterRole", "ClusterRoleBinding", "CustomResourceDefinition", "MutatingWebhookConfiguration",
        "ValidatingWebhookConfiguration", "PriorityClass", "StorageClass", "PersistentVolume", "APIService", "IngressClass",
    ];

    public bool IsNamespaced => !ClusterScoped.Contains(Kind);

    public static ApiResource Of(JsonObject obj)
    {
        var apiVersion = (string?)obj["apiVersion"] ?? "v1";
        var kind = (string?)obj["kind"] ?? throw new InvalidOperationException("an object without kind");
        var slash = apiVersion.IndexOf('/', StringComparison.Ordinal);
        var lower = kind.ToLowerInvariant();
        var plural = lower switch
        {
            "endpoints" => lower,
            _ when lower.EndsWith('y') && !lower.EndsWith("ey", StringComparison.Ordinal) => lower[..^1] + "ies",
            _ when lower.EndsWith('s') => lower + "es",
            _ => lower + "s",
        };
        return slash < 0 ? new ApiResource("", apiVersion, kind, plural) : new ApiResource(apiVersion[..slash], apiVersion[(slash + 1)..], kind, plural);
    }
}
