using System.Diagnostics;
using System.Text.Json.Nodes;
using LibGit2Sharp;

namespace TestServers.ArgoCd;

/// <summary>Argo CD's repo server in miniature: a revision of the origin written out to a temp folder, a path of it rendered with <c>kubectl kustomize</c>.</summary>
internal sealed class Kustomize : IDisposable
{
    private readonly string _root;

    private Kustomize(string root) => _root = root;

    /// <summary>Writes the tree of <paramref name="revision"/> into a fresh temp folder.</summary>
    public static Kustomize Checkout(string bareRepoPath, string revision)
    {
        var root = Path.Combine(Path.GetTempPath(), "argocd-standin-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(root);
        try
        {
            using var repo = new Repository(bareRepoPath);
            Write(repo.Lookup<Commit>(revision).Tree, root);
            return new Kustomize(root);
        }
        catch
        {
            Directory.Delete(root, recursive: true);
            throw;
        }
    }

    /// <summary>The objects <c>kubectl kustomize</c> renders from <paramref name="path"/> (repository-relative).</summary>
    /// <exception cref="InvalidOperationException">kustomize failed (its stderr is the message), or the path is missing.</exception>
    public async Task<IReadOnlyList<JsonObject>> RenderAsync(string path, CancellationToken ct)
    {
        var full = Path.GetFullPath(Path.Combine(_root, path));
        if (!full.StartsWith(_root, StringComparison.Ordinal) || !Directory.Exists(full))
        {
            throw new InvalidOperationException($"app path {path} does not exist in the revision");
        }

        var start = new ProcessStartInfo("kubectl") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add("kustomize");
        start.ArgumentList.Add(full);
        using var process = Process.Start(start) ?? throw new InvalidOperationException("kubectl did not start");
        var stdout = process.StandardOutput.ReadToEndAsync(ct);
        var stderr = process.StandardError.ReadToEndAsync(ct);
        await process.WaitForExitAsync(ct);
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"kubectl kustomize {path}: {(await stderr).Trim()}");
        }

        return YamlJson.Documents(await stdout);
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(_root, recursive: true);
        }
        catch (IOException)
        {
            // A temp folder left behind is harmless.
        }
    }

    private static void Write(Tree tree, string directory)
    {
        foreach (var entry in tree)
        {
            var target = Path.Combine(directory, entry.Name);
            switch (entry.TargetType)
            {
                case TreeEntryTargetType.Tree:
                    Directory.CreateDirectory(target);
                    Write((Tree)entry.Target, target);
                    break;
                case TreeEntryTargetType.Blob when entry.Mode != Mode.SymbolicLink:
                    using (var content = ((Blob)entry.Target).GetContentStream())
                    using (var file = File.Create(target))
                    {
                        content.CopyTo(file);
                    }

                    break;
            }
        }
    }
}
