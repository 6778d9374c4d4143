using System.Security.Cryptography;
using System.Text;
using LibGit2Sharp;
using Microsoft.Extensions.Logging;

namespace PromotionBot.Git;

/// <summary>
/// The persistent clone: one folder per remote under the cache directory, cloned once and fetched afterwards.
/// A clone interrupted half-way is replaced by a fresh one; a clone of another remote is never wiped silently.
/// </summary>
internal static class CloneCache
{
    public const string RemoteName = "origin";

    private const string PartialMarker = ".partial-";
    private const string StaleMarker = ".stale-";

    /// <summary>Folder of the clone for <paramref name="url"/>: readable, and unique thanks to a hash of the URL.</summary>
    public static string DirectoryFor(string cacheDirectory, string url)
    {
        var readable = new StringBuilder();
        var body = url.Contains("://", StringComparison.Ordinal) ? url[(url.IndexOf("://", StringComparison.Ordinal) + 3)..] : url;
        foreach (var c in body)
        {
            var ok = char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-';
            if (ok || (readable.Length > 0 && readable[^1] != '-'))
            {
                readable.Append(ok ? c : '-');
            }
        }

        var name = readable.ToString().Trim('-', '.');
        if (name.Length > 60)
        {
            name = name[^60..].TrimStart('-', '.');
        }

        var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(url)))[..10];
        return Path.Combine(Path.GetFullPath(cacheDirectory), name.Length == 0 ? hash : $"{name}-{hash}");
    }

    /// <summary>Returns the clone's folder, cloning first when needed; <c>Cloned</c> tells whether it was just cloned.</summary>
    public static (string Directory, bool Cloned) Ensure(
        RemoteAccess access, string cacheDirectory, ILogger logger, CancellationToken ct)
    {
        var dir = DirectoryFor(cacheDirectory, access.Url);
        Directory.CreateDirectory(Path.GetDirectoryName(dir)!);
        RemoveLeftovers(dir, logger);

        if (Directory.Exists(dir))
        {
            if (Repository.IsValid(dir))
            {
                EnsureSameRemote(dir, access);
                RemoveStaleLock(dir, logger);
                return (dir, false);
            }

            logger.InvalidClone(dir);
        }

        var partial = dir + PartialMarker + Guid.NewGuid().ToString("N")[..8];
        logger.Cloning(access.Url, dir);
        try
        {
            Repository.Clone(access.Url, partial, new CloneOptions(access.FetchOptions(ct)) { Checkout = false });
        }
        catch
        {
            TryDelete(partial, logger);
            throw;
        }

        ct.ThrowIfCancellationRequested();
        if (Directory.Exists(dir))
        {
            // Two renames rather than delete-then-rename: the broken clone is out of the way before the new one
            // takes its name, and a crash in between leaves only leftovers that the next run removes.
            var stale = dir + StaleMarker + Guid.NewGuid().ToString("N")[..8];
            Directory.Move(dir, stale);
            Directory.Move(partial, dir);
            TryDelete(stale, logger);
        }
        else
        {
            Directory.Move(partial, dir);
        }

        return (dir, true);
    }

    private static void EnsureSameRemote(string dir, RemoteAccess access)
    {
        using var repo = new Repository(dir);
        var origin = repo.Network.Remotes[RemoteName];
        if (origin is null || !string.Equals(origin.Url, access.Url, StringComparison.Ordinal))
        {
            var existing = origin is null ? "no origin remote" : $"origin {SafeUrl(origin.Url)}";
            throw new GitWorkspaceException(
                $"The cached clone {dir} has {existing}, not {access.Url}. Remove that folder or choose another Git:CacheDirectory.");
        }
    }

    /// <summary>A killed process can leave index.lock behind; only this bot (one cycle at a time) writes this clone.</summary>
    private static void RemoveStaleLock(string dir, ILogger logger)
    {
        var gitDir = Path.Combine(dir, ".git");
        var lockFile = Path.Combine(gitDir, "index.lock");
        if (File.Exists(lockFile))
        {
            logger.RemovingStaleLock(lockFile);
            File.Delete(lockFile);
        }
    }

    private static void RemoveLeftovers(string dir, ILogger logger)
    {
        var parent = Path.GetDirectoryName(dir)!;
        var name = Path.GetFileName(dir);
        foreach (var leftover in Directory.EnumerateDirectories(parent, name + ".*"))
        {
            var suffix = Path.GetFileName(leftover)[name.Length..];
            if (suffix.StartsWith(PartialMarker, StringComparison.Ordinal) || suffix.StartsWith(StaleMarker, StringComparison.Ordinal))
            {
                logger.RemovingLeftover(leftover);
                TryDelete(leftover, logger);
            }
        }
    }

    internal static string SafeUrl(string url) =>
        Uri.TryCreate(url, UriKind.Absolute, out var uri) && !string.IsNullOrEmpty(uri.UserInfo)
            ? url.Replace(uri.UserInfo + "@", "***@", StringComparison.Ordinal)
            : url;

    internal static void TryDelete(string dir, ILogger logger)
    {
        try
        {
            if (!Directory.Exists(dir))
            {
                return;
            }

            // Git marks object files read-only; Windows refuses to delete those.
            foreach (var file in Directory.EnumerateFiles(dir, "*", SearchOption.AllDirectories))
            {
                File.SetAttributes(file, FileAttributes.Normal);
            }

            Directory.Delete(dir, recursive: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            logger.CouldNotRemove(dir, e.Message);
        }
    }
}
