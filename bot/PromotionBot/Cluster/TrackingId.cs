namespace PromotionBot.Cluster;

/// <summary>
/// Argo CD's annotation tracking id, <c>&lt;app&gt;:&lt;group&gt;/&lt;kind&gt;:&lt;namespace&gt;/&lt;name&gt;</c> (the default
/// since Argo CD 3). An Application outside Argo CD's own namespace is written <c>&lt;app-namespace&gt;_&lt;app&gt;</c>.
/// </summary>
public sealed record TrackingId(string? ApplicationNamespace, string Application, string Group, string Kind, string Namespace, string Name)
{
    public const string Annotation = "argocd.argoproj.io/tracking-id";

    public static TrackingId? Parse(string? value)
    {
        var parts = value?.Split(':');
        if (parts is not [var app, var groupKind, var namespacedName] || app.Length == 0)
        {
            return null;
        }

        var slash = groupKind.IndexOf('/', StringComparison.Ordinal);
        var nameSlash = namespacedName.IndexOf('/', StringComparison.Ordinal);
        if (slash < 0 || nameSlash < 0)
        {
            return null;
        }

        // Application names are DNS subdomains, so '_' can only be the namespace separator.
        var underscore = app.IndexOf('_', StringComparison.Ordinal);
        return new TrackingId(
            underscore > 0 ? app[..underscore] : null,
            underscore > 0 ? app[(underscore + 1)..] : app,
            groupKind[..slash],
            groupKind[(slash + 1)..],
            namespacedName[..nameSlash],
            namespacedName[(nameSlash + 1)..]);
    }
}
