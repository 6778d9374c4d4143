namespace Repository.Tests.Loading;

/// <summary>Enumerates the repository's own YAML files, skipping build output, VCS data and this project's broken fixtures.</summary>
public static class RepoFiles
{
    private static readonly HashSet<string> SkippedDirectoryNames = new(StringComparer.Ordinal)
    {
        ".git", "bin", "obj", "node_modules", "TestResults", ".cache", "artifacts", ".vs", ".idea",
        "charts", // Helm charts inflated by `kustomize build --enable-helm`: templates, not manifests
    };

    /// <summary>The broken manifests this project feeds to its invariants; never part of the repository's state.</summary>
    public const string FixturesPath = "tests/Repository.Tests/Fixtures";

    public static IEnumerable<string> Yaml(string root) =>
        All(root).Where(f => f.EndsWith(".yaml", StringComparison.Ordinal) || f.EndsWith(".yml", StringComparison.Ordinal));

    /// <summary>The repository's Markdown documents (READMEs, docs/), for the documentation tests.</summary>
    public static IEnumerable<string> Markdown(string root) =>
        All(root).Where(f => f.EndsWith(".md", StringComparison.Ordinal));

    /// <summary>Directories holding a kustomization file; test projects' data is not deployable and is skipped.</summary>
    public static IEnumerable<string> KustomizationDirectories(string root) =>
        All(root)
            .Where(f => Kustomization.FileNames.Contains(Path.GetFileName(f)))
            .Where(f => !RepoRoot.Relative(f, root).StartsWith("tests/", StringComparison.Ordinal))
            .Select(f => Path.GetDirectoryName(f)!)
            .Distinct()
            .Order(StringComparer.Ordinal);

    /// <summary>Every folder, repository-relative (what an ApplicationSet git directory generator can match).</summary>
    public static IEnumerable<string> Directories(string root) =>
        All(root)
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

    /// <summary>
    /// The files git would commit (tracked plus untracked-but-not-ignored), so ignored caches such as inflated Helm
    /// charts never count; a plain folder walk when the root is not a git checkout.
    /// </summary>
    private static IReadOnlyList<string> All(string root) =>
        Listings.GetOrAdd(root, r => GitListing(r) ?? [.. WalkFolders(r, r)]);

    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, IReadOnlyList<string>> Listings = new(StringComparer.Ordinal);

    private static IReadOnlyList<string>? GitListing(string root)
    {
        var start = new System.Diagnostics.ProcessStartInfo("git") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false, WorkingDirectory = root };
        foreach (var arg in new[] { "ls-files", "-z", "--cached", "--others", "--exclude-standard" })
        {
            start.ArgumentList.Add(arg);
        }
        try
        {
            using var git = System.Diagnostics.Process.Start(start)!;
            var stdout = git.StandardOutput.ReadToEndAsync();
            _ = git.StandardError.ReadToEndAsync();
            if (!git.WaitForExit(30_000) || git.ExitCode != 0)
            {
                return null;
            }
            return stdout.Result.Split('\0', StringSplitOptions.RemoveEmptyEntries)
                .Select(f => Path.GetFullPath(Path.Combine(root, f)))
                .Where(File.Exists)
                .Where(f => !Skipped(RepoRoot.Relative(f, root)))
                .Order(StringComparer.Ordinal)
                .ToList();
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return null; // no git binary
        }
    }

    private static bool Skipped(string relative)
    {
        var parts = relative.Split('/');
        return parts[..^1].Any(SkippedDirectoryNames.Contains) || relative.StartsWith(FixturesPath + "/", StringComparison.Ordinal);
    }

    private static IEnumerable<string> WalkFolders(string root, string dir)
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
            foreach (var file in WalkFolders(root, sub))
            {
                yield return file;
            }
        }
    }
}
