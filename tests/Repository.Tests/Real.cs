using Repository.Tests.Loading;

namespace Repository.Tests;

/// <summary>The repository under test, read and rendered once per test run.</summary>
internal static class Real
{
    public static Task<RepositorySnapshot> SnapshotAsync() => RepositorySnapshot.LoadAsync(RepoRoot.Path);

    public static LayerGraph Graph { get; } = LayerGraph.Discover(RepoRoot.Path);

    public static TheoryData<string> OfflineLayers() => Data(Graph.Buildable.Where(l => !Graph.NeedsNetwork(l)));

    public static TheoryData<string> NetworkLayers() => Data(Graph.Layers.Values.Where(l => l.HelmCharts.Count > 0 || l.References.Any(r => r.IsRemote)));

    private static TheoryData<string> Data(IEnumerable<Kustomization> layers)
    {
        var data = new TheoryData<string>();
        foreach (var layer in layers.OrderBy(l => l.RelativeDirectory, StringComparer.Ordinal))
        {
            data.Add(layer.RelativeDirectory);
        }
        return data;
    }
}
