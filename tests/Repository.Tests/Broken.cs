using Repository.Tests.Loading;
using Repository.Tests.Model;

namespace Repository.Tests;

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
