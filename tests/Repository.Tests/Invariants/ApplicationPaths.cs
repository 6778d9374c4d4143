using Repository.Tests.Loading;
using Repository.Tests.Model;

namespace Repository.Tests.Invariants;

/// <summary>Every Application (or generated one) that syncs from this repository names a folder that exists in it.</summary>
public static class ApplicationPaths
{
    public static IEnumerable<Violation> Check(IReadOnlyList<K8sObject> objects, string root)
    {
        var apps = RepositorySnapshot.Applications(objects, root);
        var self = ThisRepositoryUrls(apps);
        foreach (var app in apps)
        {
            foreach (var source in app.Sources.Where(s => s.Chart is null && IsThisRepository(s.RepoUrl, self)))
            {
                if (source.Path is null)
                {
                    yield return app.Violation(source.Node, $"source {source.RepoUrl} has no path");
                }
                else if (source.Path.Contains("{{", StringComparison.Ordinal))
                {
                    yield return app.Violation(source.Node, $"path '{source.Path}' keeps an unresolved template parameter");
                }
                else if (!Directory.Exists(Path.Combine(root, source.Path)))
                {
                    yield return app.Violation(source.Node, $"path '{source.Path}' does not exist in the repository");
                }
            }
        }
    }

    /// <summary>
    /// This repository's URL(s): the repoURL most git sources use. The repository cannot know its own remote (clones,
    /// forks, CI checkouts), but its Applications agree on it, and any other URL is an external source.
    /// </summary>
    public static IReadOnlySet<string> ThisRepositoryUrls(IEnumerable<ArgoApplication> apps)
    {
        var counts = apps.SelectMany(a => a.Sources).Where(s => s.Chart is null && s.RepoUrl is not null)
            .GroupBy(s => Normalize(s.RepoUrl!)).Select(g => (Url: g.Key, Count: g.Count())).ToList();
        if (counts.Count == 0)
        {
            return new HashSet<string>();
        }
        var max = counts.Max(c => c.Count);
        return counts.Where(c => c.Count == max).Select(c => c.Url).ToHashSet(StringComparer.Ordinal);
    }

    public static bool IsThisRepository(string? repoUrl, IReadOnlySet<string> self) => repoUrl is not null && self.Contains(Normalize(repoUrl));

    private static string Normalize(string url)
    {
        var u = url.Trim().TrimEnd('/').ToLowerInvariant();
        return u.EndsWith(".git", StringComparison.Ordinal) ? u[..^4] : u;
    }
}
