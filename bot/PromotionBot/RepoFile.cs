using System.Runtime.InteropServices;
using System.Text;

namespace PromotionBot;

/// <summary>
/// The only way the bot reads files of the GitOps repository, which anyone with write access (or a fork's PR) can
/// change: a regular file inside the repository, reached without any symlink that leaves it, at most
/// <see cref="MaxBytes"/> (checked before reading), strict UTF-8. Devices, FIFOs, sockets and /proc are never opened.
/// </summary>
public static class RepoFile
{
    /// <summary>Size cap for every repository file the bot reads (policies, VirtualServices).</summary>
    public const int MaxBytes = 1024 * 1024;

    private const int MaxSymlinkHops = 40;
    private const int MaxWalkDepth = 32;
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>The file's text, UTF-8 decoded with a BOM kept as U+FEFF (so writing it back reproduces the bytes).</summary>
    /// <exception cref="RepoFileException">Missing, not a regular file, outside the repository, too large, or not UTF-8.</exception>
    public static string ReadText(string repoDir, string relativePath, int maxBytes = MaxBytes)
    {
        var bytes = ReadBytes(repoDir, relativePath, maxBytes);
        try
        {
            return StrictUtf8.GetString(bytes);
        }
        catch (DecoderFallbackException e)
        {
            // Refused, never "repaired": decoding with replacement characters would rewrite the bytes in the bot's commit.
            var offset = e.Index >= 0 ? e.Index : 0;
            var line = 1 + bytes.AsSpan(0, Math.Min(offset, bytes.Length)).Count((byte)'\n');
            var column = offset - (bytes.AsSpan(0, Math.Min(offset, bytes.Length)).LastIndexOf((byte)'\n') + 1) + 1;
            var bad = e.BytesUnknown is { Length: > 0 } unknown ? $"0x{unknown[0]:X2}" : "an invalid byte";
            throw new RepoFileException(relativePath, line, column,
                $"not valid UTF-8 ({bad} at byte {offset}); the bot reads and edits UTF-8 files only and will not rewrite this one");
        }
    }

    public static byte[] ReadBytes(string repoDir, string relativePath, int maxBytes = MaxBytes)
    {
        var path = Resolve(repoDir, relativePath);
        var (kind, size) = Stat(path);
        if (kind != EntryKind.File)
        {
            throw new RepoFileException(relativePath, 0, 0, kind switch
            {
                EntryKind.Missing => "does not exist",
                EntryKind.Directory => "is a directory, not a file",
                _ => $"is a {Describe(kind)}, not a regular file; the bot reads regular files only",
            });
        }

        if (size > maxBytes)
        {
            throw TooLarge(relativePath, size, maxBytes);
        }

        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.None);
            // Read at most one byte past the cap: a file that grew since the check is still refused, never read whole.
            var buffer = new byte[Math.Min(size, maxBytes) + 1];
            var total = 0;
            int read;
            while (total < buffer.Length && (read = stream.Read(buffer, total, buffer.Length - total)) > 0)
            {
                total += read;
            }

            if (total > maxBytes)
            {
                throw TooLarge(relativePath, total, maxBytes);
            }

            return buffer.AsSpan(0, total).ToArray();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new RepoFileException(relativePath, 0, 0, $"cannot read: {e.Message.Replace(path, relativePath, StringComparison.Ordinal)}");
        }
    }

    /// <summary>
    /// Repository-relative paths (forward slashes, sorted) of every file named <paramref name="fileName"/> under
    /// <paramref name="folder"/>. Symlinked directories are never entered (no loops, nothing outside); a symlink with
    /// the wanted name is listed so that reading it reports why it is refused.
    /// </summary>
    public static IReadOnlyList<string> Find(string repoDir, string folder, string fileName)
    {
        var start = new DirectoryInfo(Path.Combine(repoDir, folder));
        if (!start.Exists || start.LinkTarget is not null)
        {
            return [];
        }

        var found = new List<string>();
        var options = new EnumerationOptions { IgnoreInaccessible = true, RecurseSubdirectories = false, AttributesToSkip = 0 };
        var pending = new Stack<(DirectoryInfo Dir, int Depth)>();
        pending.Push((start, 0));
        while (pending.Count > 0)
        {
            var (dir, depth) = pending.Pop();
            foreach (var entry in dir.EnumerateFileSystemInfos("*", options))
            {
                if (entry.LinkTarget is null && entry is DirectoryInfo sub)
                {
                    if (depth < MaxWalkDepth)
                    {
                        pending.Push((sub, depth + 1));
                    }
                }
                else if (entry.Name == fileName)
                {
                    found.Add(Path.GetRelativePath(repoDir, entry.FullName).Replace('\\', '/'));
                }
            }
        }

        found.Sort(StringComparer.Ordinal);
        return found;
    }

    /// <summary>
    /// The path to open: every component checked with lstat; a symlink is followed only while its target stays
    /// inside the repository (judged against the repository's real path, so /proc, /dev and ../ are out).
    /// </summary>
    private static string Resolve(string repoDir, string relativePath)
    {
        var root = RealPath(Path.GetFullPath(repoDir));
        var parts = new Queue<string>(Split(relativePath));
        var current = root;
        var hops = 0;
        while (parts.Count > 0)
        {
            var next = Path.Join(current, parts.Dequeue());
            var info = new FileInfo(next);
            if (info.LinkTarget is not { } target)
            {
                current = next;
                continue;
            }

            if (++hops > MaxSymlinkHops)
            {
                throw new RepoFileException(relativePath, 0, 0, "too many levels of symbolic links");
            }

            var resolved = Path.GetFullPath(Path.IsPathRooted(target) ? target : Path.Join(current, target));
            if (!IsInside(root, resolved))
            {
                // The target is not named: it is outside the repository and may itself be a secret.
                throw new RepoFileException(relativePath, 0, 0, "is a symbolic link that leaves the repository; the bot reads files inside the repository only");
            }

            // Walk the target again from the root, so links inside it are checked too.
            var rest = parts.ToList();
            parts = new Queue<string>(Split(Path.GetRelativePath(root, resolved).Replace('\\', '/')).Concat(rest));
            current = root;
        }

        return current;
    }

    private static IEnumerable<string> Split(string relativePath)
    {
        var parts = relativePath.Split('/', StringSplitOptions.RemoveEmptyEntries);
        if (Path.IsPathRooted(relativePath) || parts.Any(p => p is "." or ".."))
        {
            throw new RepoFileException(relativePath, 0, 0, "is not a path inside the repository");
        }

        return parts.Length == 0 ? throw new RepoFileException(relativePath, 0, 0, "is an empty path") : parts;
    }

    private static bool IsInside(string root, string path) =>
        path == root || path.StartsWith(root.EndsWith(Path.DirectorySeparatorChar) ? root : root + Path.DirectorySeparatorChar, StringComparison.Ordinal);

    /// <summary>The repository folder itself may sit behind a symlink (/tmp on macOS): its real path is the boundary.</summary>
    private static string RealPath(string path)
    {
        var result = Path.GetPathRoot(path)!;
        foreach (var part in path[result.Length..].Split(Path.DirectorySeparatorChar, StringSplitOptions.RemoveEmptyEntries))
        {
            var next = Path.Join(result, part);
            for (var hops = 0; new FileInfo(next).LinkTarget is { } target && hops < MaxSymlinkHops; hops++)
            {
                next = Path.GetFullPath(Path.IsPathRooted(target) ? target : Path.Join(Path.GetDirectoryName(next), target));
            }

            result = next;
        }

        return result;
    }

    private static RepoFileException TooLarge(string relativePath, long size, int maxBytes) =>
        new(relativePath, 0, 0, $"is {size:N0} bytes, over the {Limit(maxBytes)} limit for repository files; not read");

    private static string Limit(int bytes) => bytes % (1024 * 1024) == 0 ? $"{bytes / (1024 * 1024)} MiB" : $"{bytes:N0} bytes";

    private enum EntryKind
    {
        Missing,
        File,
        Directory,
        Fifo,
        CharacterDevice,
        BlockDevice,
        Socket,
        Symlink,
        Other,
    }

    private static string Describe(EntryKind kind) => kind switch
    {
        EntryKind.Fifo => "FIFO (named pipe)",
        EntryKind.CharacterDevice => "character device",
        EntryKind.BlockDevice => "block device",
        EntryKind.Socket => "socket",
        EntryKind.Symlink => "symbolic link",
        _ => "special file",
    };

    /// <summary>Type and size without opening (opening a FIFO blocks, a device never ends): statx on Linux.</summary>
    private static (EntryKind Kind, long Size) Stat(string path)
    {
        if (OperatingSystem.IsLinux())
        {
            var buffer = new byte[256];
            // AT_FDCWD, AT_SYMLINK_NOFOLLOW, STATX_TYPE | STATX_SIZE; struct statx is the same on every architecture.
            if (Statx(-100, path, 0x100, 0x1 | 0x200, ref buffer[0]) != 0)
            {
                return (EntryKind.Missing, 0);
            }

            var mode = BitConverter.ToUInt16(buffer, 28) & 0xF000;
            var size = (long)BitConverter.ToUInt64(buffer, 40);
            return (mode switch
            {
                0x8000 => EntryKind.File,
                0x4000 => EntryKind.Directory,
                0x1000 => EntryKind.Fifo,
                0x2000 => EntryKind.CharacterDevice,
                0x6000 => EntryKind.BlockDevice,
                0xC000 => EntryKind.Socket,
                0xA000 => EntryKind.Symlink,
                _ => EntryKind.Other,
            }, size);
        }

        var info = new FileInfo(path);
        return info.Exists ? (EntryKind.File, info.Length) : Directory.Exists(path) ? (EntryKind.Directory, 0) : (EntryKind.Missing, 0);
    }

    [DllImport("libc", EntryPoint = "statx")]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern int Statx(int dirfd, [MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags, uint mask, ref byte statxBuffer);
}
