using LibGit2Sharp;

namespace TestServers.Git;

/// <summary>A user's GitOps repository as a bare "origin" on disk, seeded from a folder (typically this repository).</summary>
public static class OriginRepository
{
    /// <summary>
    /// A bare repository at <paramref name="bareDirectory"/> whose <paramref name="branch"/> (also its HEAD) holds one
    /// commit with the given top-level folders/files of <paramref name="sourceRoot"/>, e.g. apps/, argocd/,
    /// infrastructure/, clusters/. When <paramref name="sourceRoot"/> is inside a git work tree, files git ignores
    /// (build output) are left out. Returns the repository's full path.
    /// </summary>
    public static string Create(string sourceRoot, string bareDirectory, IReadOnlyList<string> paths, string branch = "main")
    {
        sourceRoot = Path.GetFullPath(sourceRoot);
        bareDirectory = Path.GetFullPath(bareDirectory);
        var gitDir = Repository.Discover(sourceRoot);
        using var source = gitDir is null ? null : new Repository(gitDir);
        var sourceWorkDir = source?.Info.WorkingDirectory;

        Repository.Init(bareDirectory, isBare: true);
        using var repo = new Repository(bareDirectory);
        var tree = new TreeDefinition();
        var count = 0;
        foreach (var path in paths)
        {
            var full = Path.GetFullPath(Path.Combine(sourceRoot, path));
            var files = File.Exists(full) ? [full]
                : Directory.Exists(full) ? Directory.EnumerateFiles(full, "*", SearchOption.AllDirectories)
                : throw new FileNotFoundException($"{path} is neither a file nor a folder under {sourceRoot}", full);
            foreach (var file in files.Order(StringComparer.Ordinal))
            {
                if (source is not null && sourceWorkDir is not null && source.Ignore.IsPathIgnored(Relative(sourceWorkDir, file)))
                {
                    continue;
                }

                using var stream = File.OpenRead(file);
                var blob = repo.ObjectDatabase.CreateBlob(stream);
                var executable = !OperatingSystem.IsWindows() && (File.GetUnixFileMode(file) & UnixFileMode.UserExecute) != 0;
                tree.Add(Relative(sourceRoot, file), blob, executable ? Mode.ExecutableFile : Mode.NonExecutableFile);
                count++;
            }
        }

        if (count == 0)
        {
            throw new ArgumentException($"no files under {string.Join(", ", paths)} in {sourceRoot}", nameof(paths));
        }

        var who = new Signature("GitOps Origin", "origin@example.com", DateTimeOffset.UtcNow);
        var commit = repo.ObjectDatabase.CreateCommit(who, who, "Initial commit\n", repo.ObjectDatabase.CreateTree(tree), [], prettifyMessage: false);
        repo.Refs.Add($"refs/heads/{branch}", commit.Id);
        repo.Refs.UpdateTarget("HEAD", $"refs/heads/{branch}");
        return bareDirectory;
    }

    private static string Relative(string root, string file) => Path.GetRelativePath(root, file).Replace('\\', '/');
}
