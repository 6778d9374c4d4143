using Repository.Tests.Loading;
using Repository.Tests.Model;

namespace Repository.Tests.Invariants;

/// <summary>
/// Every layer reaches the cluster through exactly one Application: no two Applications sync the same path, no
/// Application syncs a layer another synced layer already builds in, and every entry point under clusters/ is synced.
/// </summary>
public static class LayerOwnership
{
    public static IEnumerable<Violation> Check(IReadOnlyList<K8sObject> objects, LayerGraph graph)
    {
        var apps = RepositorySnapshot.Applications(objects, graph.Root);
        var self = ApplicationPaths.ThisRepositoryUrls(apps);
        var owned = apps
            .SelectMany(a => a.Sources.Where(s => s.Chart is null && s.Path is not null && ApplicationPaths.IsThisRepository(s.RepoUrl, self))
                .Select(s => (App: a, Source: s, Dir: Path.GetFullPath(Path.Combine(graph.Root, s.Path!)).TrimEnd(Path.DirectorySeparatorChar))))
            .ToList();

        foreach (var group in owned.GroupBy(o => o.Dir, StringComparer.Ordinal).Where(g => g.Count() > 1))
        {
            var first = group.First();
            foreach (var other in group.Skip(1))
            {
                yield return other.App.Violation(other.Source.Node, $"path '{other.Source.Path}' is already synced by {first.App.Display} ({first.App.Manifest.Origin})");
            }
        }

        var distinct = owned.DistinctBy(o => o.Dir).ToList();
        foreach (var inner in distinct)
        {
            if (graph.At(inner.Dir) is not { } layer)
            {
                continue;
            }
            foreach (var outer in distinct.Where(o => o.Dir != inner.Dir && graph.At(o.Dir) is not null))
            {
                if (graph.Closure(graph.At(outer.Dir)!).Any(l => l.Directory == layer.Directory))
                {
                    yield return inner.App.Violation(inner.Source.Node,
                        $"path '{inner.Source.Path}' is also built into '{outer.Source.Path}', which {outer.App.Display} syncs: its objects would have two owners");
                }
            }
        }

        var ownedDirs = distinct.Select(o => o.Dir).ToHashSet(StringComparer.Ordinal);
        foreach (var entry in graph.Roots.Where(r => r.RelativeDirectory.StartsWith("clusters/", StringComparison.Ordinal)))
        {
            if (!ownedDirs.Contains(entry.Directory))
            {
                yield return new Violation(new Origin(entry.RelativeFile), $"Kustomization {entry.RelativeDirectory}", "cluster layer is synced by no Application");
            }
        }
    }
}
