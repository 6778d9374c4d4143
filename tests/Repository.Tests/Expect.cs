using Repository.Tests.Loading;
using Repository.Tests.Model;

namespace Repository.Tests;

/// <summary>Assertions over violations whose failure output lists every violation, one per line.</summary>
internal static class Expect
{
    public static void None(IEnumerable<Violation> violations)
    {
        var list = violations.ToList();
        Assert.True(list.Count == 0, $"{list.Count} violation(s):\n" + string.Join("\n", list));
    }

    /// <summary>Exactly one violation at this file (and line, when given) about this object, containing the fragment.</summary>
    public static Violation One(IEnumerable<Violation> violations, string file, string subject, string fragment, int? line = null)
    {
        var list = violations.ToList();
        var matching = list.Where(v => v.Where.File == file && v.Subject == subject && v.Message.Contains(fragment, StringComparison.Ordinal)).ToList();
        Assert.True(matching.Count == 1, $"expected one violation at {file} for '{subject}' containing '{fragment}', got {matching.Count} among:\n" + string.Join("\n", list));
        var violation = matching[0];
        if (line is not null)
        {
            Assert.Equal(line, violation.Where.Line);
        }
        // The rendered message is what a human reads in CI: it must name the file and the object.
        Assert.Contains(file, violation.ToString(), StringComparison.Ordinal);
        Assert.Contains(subject, violation.ToString(), StringComparison.Ordinal);
        return violation;
    }
}

/// <summary>The broken manifests under Fixtures/broken/, addressed the way failure messages name them.</summary>
internal static class Broken
{
    public const string Folder = RepoFiles.FixturesPath + "/broken";

    public static string File(string name) => $"{Folder}/{name}";

    public static string FullPath(string name) => RepoRoot.Full(File(name));

    public static IReadOnlyList<K8sObject> Objects(string name) => YamlDocuments.ObjectsInFile(FullPath(name), RepoRoot.Path);

    public static Kustomization Layer(string name) =>
        Kustomization.Load(FullPath(name), RepoRoot.Path) ?? throw new InvalidOperationException($"no kustomization in {File(name)}");

    /// <summary>A small broken GitOps repository of its own (its own root, so paths are relative to it).</summary>
    public static Task<RepositorySnapshot> RepositoryAsync() => RepositorySnapshot.LoadAsync(FullPath("gitops-repo"));
}

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
