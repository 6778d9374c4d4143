using System.Text;
using System.Text.RegularExpressions;
using LibGit2Sharp;

namespace PromotionBot.Git;

/// <summary>
/// Builds the bot's commit straight in the object database (base tree + new file contents), so publishing never
/// depends on, or disturbs, the state of the working tree the analyzer reads.
/// </summary>
internal static partial class CommitBuilder
{
    public static Tree BuildTree(Repository repo, Commit baseCommit, IReadOnlyDictionary<string, string> files)
    {
        var definition = TreeDefinition.From(baseCommit.Tree);
        foreach (var (path, content) in files)
        {
            var mode = Mode.NonExecutableFile;
            if (baseCommit[path] is { } existing)
            {
                if (existing.TargetType != TreeEntryTargetType.Blob)
                {
                    throw new GitWorkspaceException($"Cannot write file {path}: it is a {existing.TargetType} on the base branch.");
                }

                mode = existing.Mode; // keep the executable bit / symlink-free mode the file already has
            }

            // Raw bytes, no filters: the editor already kept the file's own line endings.
            using var stream = new MemoryStream(new UTF8Encoding(false).GetBytes(content));
            var blob = repo.ObjectDatabase.CreateBlob(stream);
            definition.Add(path, blob, mode);
        }

        return repo.ObjectDatabase.CreateTree(definition);
    }

    /// <summary>Subject, blank line, body, blank line, trailers — the layout `git interpret-trailers` recognises.</summary>
    public static string Message(ProposedChange change)
    {
        var text = new StringBuilder();
        text.Append(OneLine(change.Subject)).Append('\n');
        var body = change.Body.Replace("\r\n", "\n", StringComparison.Ordinal).Trim('\n', ' ');
        if (body.Length > 0)
        {
            text.Append('\n').Append(body).Append('\n');
        }

        if (change.Trailers.Count > 0)
        {
            text.Append('\n');
            foreach (var (key, value) in change.Trailers)
            {
                text.Append(key).Append(": ").Append(OneLine(value)).Append('\n');
            }
        }

        return text.ToString();
    }

    /// <summary>
    /// The trailers of a commit message: its last paragraph when every line there is "Key: value" (the layout
    /// <see cref="Message"/> writes); empty otherwise. The subject alone never counts as trailers.
    /// </summary>
    public static IReadOnlyDictionary<string, string> Trailers(string message)
    {
        var paragraphs = message.Replace("\r\n", "\n", StringComparison.Ordinal).Trim('\n').Split("\n\n");
        var trailers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        if (paragraphs.Length < 2)
        {
            return trailers;
        }

        foreach (var line in paragraphs[^1].Split('\n'))
        {
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon <= 0 || !TrailerKey().IsMatch(line[..colon]))
            {
                return new Dictionary<string, string>();
            }

            trailers[line[..colon]] = line[(colon + 1)..].Trim();
        }

        return trailers;
    }

    public static Commit Create(Repository repo, Tree tree, Commit parent, string message, GitOptions options, DateTimeOffset when)
    {
        var who = new Signature(options.AuthorName, options.AuthorEmail, when);
        return repo.ObjectDatabase.CreateCommit(who, who, message, tree, [parent], prettifyMessage: false);
    }

    /// <summary>Rejects changes that would produce a surprising commit, before anything is fetched or built.</summary>
    public static void Validate(ProposedChange change, string baseBranch)
    {
        ArgumentNullException.ThrowIfNull(change);
        if (string.IsNullOrWhiteSpace(change.Branch) || !Reference.IsValidName("refs/heads/" + change.Branch))
        {
            throw new ArgumentException($"'{change.Branch}' is not a valid branch name.", nameof(change));
        }

        if (change.Branch == baseBranch)
        {
            throw new ArgumentException($"The bot never commits to the base branch '{baseBranch}'.", nameof(change));
        }

        if (change.Files.Count == 0)
        {
            throw new ArgumentException("The change has no files.", nameof(change));
        }

        foreach (var path in change.Files.Keys)
        {
            var parts = path.Split('/');
            if (path.Length == 0 || path.Contains('\\', StringComparison.Ordinal) || path.StartsWith('/')
                || parts.Any(p => p is "" or "." or ".." || p.Equals(".git", StringComparison.OrdinalIgnoreCase)))
            {
                throw new ArgumentException($"'{path}' is not a repository-relative path with forward slashes.", nameof(change));
            }
        }

        if (string.IsNullOrWhiteSpace(change.Subject))
        {
            throw new ArgumentException("The commit subject is empty.", nameof(change));
        }

        foreach (var (key, value) in change.Trailers)
        {
            if (!TrailerKey().IsMatch(key) || value.Contains('\n', StringComparison.Ordinal) || value.Contains('\r', StringComparison.Ordinal))
            {
                throw new ArgumentException($"Trailer '{key}' must be a token of letters, digits and '-' with a one-line value.", nameof(change));
            }
        }
    }

    private static string OneLine(string text) =>
        text.Replace("\r", " ", StringComparison.Ordinal).Replace("\n", " ", StringComparison.Ordinal).Trim();

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9-]*$")]
    private static partial Regex TrailerKey();
}
