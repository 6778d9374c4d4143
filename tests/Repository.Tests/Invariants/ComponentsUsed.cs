using Repository.Tests.Loading;
using Repository.Tests.Model;

namespace Repository.Tests.Invariants;

/// <summary>Every kustomize Component is used by some layer: components are only ever built through their users.</summary>
public static class ComponentsUsed
{
    public static IEnumerable<Violation> Check(LayerGraph graph)
    {
        var used = graph.Layers.Values.SelectMany(l => l.LocalDirectories).ToHashSet(StringComparer.Ordinal);
        return graph.Layers.Values
            .Where(l => l.IsComponent && !used.Contains(l.Directory))
            .OrderBy(l => l.Directory, StringComparer.Ordinal)
            .Select(l => new Violation(new Origin(l.RelativeFile), $"Component {l.RelativeDirectory}", "is used by no kustomization, so it is never rendered or checked"));
    }
}
