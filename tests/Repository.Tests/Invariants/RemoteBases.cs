using System.Text.RegularExpressions;
using Repository.Tests.Loading;
using Repository.Tests.Model;

namespace Repository.Tests.Invariants;

/// <summary>Remote kustomize resources are pinned to a release tag or a commit, never a moving branch.</summary>
public static partial class RemoteBases
{
    public static IEnumerable<Violation> Check(Kustomization layer)
    {
        foreach (var reference in layer.References.Where(r => r.IsRemote))
        {
            var reason = Ref(reference.Value) switch
            {
                null => "is not pinned: add ?ref=<tag or commit>",
                var r when !IsPinnedRef(r) => $"follows '{r}', which is not a release tag or commit",
                _ => null,
            };
            if (reason is not null)
            {
                yield return new Violation(new Origin(layer.RelativeFile, reference.Line), $"{reference.Field} {reference.Value}", $"remote {reference.Field} entry {reason}");
            }
        }
    }

    public static bool IsPinnedRef(string gitRef) => Pinned().IsMatch(gitRef);

    /// <summary>The git ref a remote reference resolves: ?ref=/?version=, or the ref segment of a raw/release download URL.</summary>
    public static string? Ref(string url)
    {
        var query = QueryRef().Match(url);
        if (query.Success)
        {
            return query.Groups[1].Value;
        }
        var raw = RawRef().Match(url);
        return raw.Success ? raw.Groups[1].Value : null;
    }

    [GeneratedRegex(@"[?&](?:ref|version)=([^&#]+)")]
    private static partial Regex QueryRef();

    [GeneratedRegex(@"^https://(?:raw\.githubusercontent\.com/[^/]+/[^/]+/(?:refs/tags/)?|github\.com/[^/]+/[^/]+/(?:releases/download|raw|blob)/)([^/]+)/")]
    private static partial Regex RawRef();

    /// <summary>A version tag (v1.2.3, 1.28.10, v3.5.1-rc1) or an abbreviated/full commit id.</summary>
    [GeneratedRegex(@"^(v?\d+(\.\d+)+([-+][0-9A-Za-z.-]+)?|[0-9a-f]{7,40})$")]
    private static partial Regex Pinned();
}
