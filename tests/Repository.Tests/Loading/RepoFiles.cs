namespace Repository.Tests.Loading;

/// <summary>Enumerates the repository's own YAML files, skipping build output, VCS data and this project's broken fixtures.</summary>
public static class RepoFiles
{
    private static readonly HashSet<string> SkippedDirectoryNames = new(StringComparer.Ordinal)
    {
        ".git", "bin", "obj", "node_modules", "TestResults", ".cache", "artifacts", ".vs", ".idea",
    };

    /// <summary>The broken manifests this project feeds to its invariants; never part of the repository's state.</summary>
    public const string FixturesPath = "tests/Repository.Tests/Fixtures";

    public static IEnumerable<string> Yaml(string root) =>
        Walk(root, root).Where(f => f.EndsWith(".yaml", StringComparison.Ordinal) || f.EndsWith(".yml", StringComparison.Ordinal));

    /// <summary>Directories holding a kustomization file; test projects' data is not deployable and is skipped.</summary>
    public static IEnumerable<string> KustomizationDirectories(string root) =>
        Walk(root, root)
            .Where(f => Kustomization.FileNames.Contains(Path.GetFileName(f)))
            .Where(f => !RepoRoot.Relative(f, root).StartsWith("tests/", StringComparison.Ordinal))
            .Select(f => Path.GetDirectoryName(f)!)
            .Distinct()
            .Order(StringComparer.Ordinal);

    /// <summary>Every folder, repository-relative (what an ApplicationSet git directory generator can match).</summary>
    public static IEnumerable<string> Directories(string root) =>
        Walk(root, root)
            .SelectMany(f => Ancestors(Path.GetDirectoryName(f)!, root))
            .Distinct(StringComparer.Ordinal)
            .Select(d => RepoRoot.Relative(d, root))
            .Order(StringComparer.Ordinal);

    private static IEnumerable<string> Ancestors(string dir, string root)
    {
        for (var d = dir; d.Length > root.Length && d.StartsWith(root, StringComparison.Ordinal); d = Path.GetDirectoryName(d)!)
        {
            yield return d;
        }
    }

    private static IEnumerable<string> Walk(string root, string dir)
    {
        foreach (var file in Directory.EnumerateFiles(dir))
        {
            yield return file;
        }
        foreach (var sub in Directory.EnumerateDirectories(dir))
        {
            var name = Path.GetFileName(sub);
            if (SkippedDirectoryNames.Contains(name) || RepoRoot.Relative(sub, root) == FixturesPath)
            {
                continue;
            }
            foreach (var file in Walk(root, sub))
            {
                yield return file;
            }
        }
    }
}
