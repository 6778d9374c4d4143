namespace Repository.Tests.Loading;

/// <summary>The repository under test: found by walking up from the test binaries to the folder holding the solution.</summary>
public static class RepoRoot
{
    public static string Path { get; } = Find(AppContext.BaseDirectory);

    public static string Find(string start)
    {
        for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
        {
            if (dir.EnumerateFiles("*.sln").Any() || dir.EnumerateFiles("*.slnx").Any()
                || (Directory.Exists(System.IO.Path.Combine(dir.FullName, "clusters")) && Directory.Exists(System.IO.Path.Combine(dir.FullName, "apps"))))
            {
                return dir.FullName;
            }
        }
        throw new InvalidOperationException($"No repository root (a folder with a .sln, or clusters/ and apps/) above {start}");
    }

    /// <summary>Repository-relative path with forward slashes, the form every failure message uses.</summary>
    public static string Relative(string fullPath, string? root = null) =>
        System.IO.Path.GetRelativePath(root ?? Path, fullPath).Replace('\\', '/');

    public static string Full(string relative, string? root = null) =>
        System.IO.Path.GetFullPath(System.IO.Path.Combine(root ?? Path, relative));
}
