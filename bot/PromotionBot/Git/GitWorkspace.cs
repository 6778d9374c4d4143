namespace PromotionBot.Git;

/// <summary>Where the bot's persistent clone lives and whom it pushes as. Filled from configuration (Git:* keys).</summary>
/// <param name="RemoteUrl">HTTPS URL, plain path or file:// URL of the GitOps repository.</param>
/// <param name="Token">Token for HTTPS pushes (never logged); null for local remotes.</param>
public sealed record GitOptions(
    string RemoteUrl,
    string BaseBranch,
    string CacheDirectory,
    string? Token,
    string AuthorName = "promotion-bot",
    string AuthorEmail = "promotion-bot@users.noreply.github.com")
{
    /// <summary>The configuration section these keys live in (Git:RemoteUrl, …).</summary>
    public const string SectionName = "Git";

    /// <summary>For configuration binding (the Git:* keys); <see cref="Configuration.BotOptionsDefaults"/> fills the blanks.</summary>
    public GitOptions()
        : this("", "main", "", null)
    {
    }

    // The compiler-generated ToString would print the token; options end up in logs and exception texts.
    // The compiler calls it from ToString, which the unused-member analysis cannot see.
#pragma warning disable IDE0051
    private bool PrintMembers(System.Text.StringBuilder builder)
    {
        builder.Append($"RemoteUrl = {RemoteUrl}, BaseBranch = {BaseBranch}, CacheDirectory = {CacheDirectory}, ");
        builder.Append($"Token = {(Token is null ? "(none)" : "***")}, AuthorName = {AuthorName}, AuthorEmail = {AuthorEmail}");
        return true;
    }
#pragma warning restore IDE0051
}

/// <summary>The base branch as fetched this cycle.</summary>
/// <param name="WorkDir">Working directory of the clone, checked out (detached) at BaseSha.</param>
public sealed record RepoSnapshot(string WorkDir, string BaseSha);

/// <summary>A commit the bot wants on its branch: the complete new text of each changed file.</summary>
/// <param name="Files">Repository-relative path → full new content.</param>
/// <param name="Trailers">Git trailers appended to the message (e.g. Promotion-Canary, Promotion-Decision).</param>
public sealed record ProposedChange(
    string Branch,
    IReadOnlyDictionary<string, string> Files,
    string Subject,
    string Body,
    IReadOnlyDictionary<string, string> Trailers);

public enum PublishOutcome
{
    /// <summary>Branch created or moved to a fresh commit on top of the current base.</summary>
    Pushed,

    /// <summary>The remote branch already holds exactly this change on the current base: nothing pushed.</summary>
    UpToDate,

    /// <summary>Someone other than the bot committed on the branch: left alone, not force-pushed.</summary>
    ForeignCommits,
}

/// <param name="HeadSha">The branch head after the operation (the remote's head when ForeignCommits).</param>
/// <param name="Detail">Human-readable explanation (e.g. which foreign commit was found).</param>
public sealed record PublishResult(PublishOutcome Outcome, string HeadSha, string Detail);
