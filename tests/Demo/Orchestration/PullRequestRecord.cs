namespace Demo.Orchestration;

/// <summary>
/// One bot pull request as the loop saw it: what it proposes and when it opened, merged and went live. The bot may
/// rewrite an open pull request (an open advance becomes a rollback on the same branch), so kind and weights follow
/// its latest marker and <see cref="RollbackSeenAt"/> says when it first proposed a rollback.
/// </summary>
public sealed class PullRequestRecord(int number, string canary, DateTimeOffset openedAt, IReadOnlyList<KeyValuePair<string, int>> from)
{
    public int Number { get; } = number;

    /// <summary>Policy name (product-catalog).</summary>
    public string Canary { get; } = canary;

    public DateTimeOffset OpenedAt { get; } = openedAt;

    /// <summary>The canary's weights on main when the pull request opened, in route order (empty if unknown).</summary>
    public IReadOnlyList<KeyValuePair<string, int>> From { get; } = from;

    /// <summary>advance, promote or rollback (the bot's hidden marker in the body).</summary>
    public string Kind { get; set; } = "";

    /// <summary>Proposed weights, in route order.</summary>
    public IReadOnlyList<KeyValuePair<string, int>> Weights { get; set; } = [];

    public string Title { get; set; } = "";

    public DateTimeOffset? RollbackSeenAt { get; set; }

    public DateTimeOffset? MergedAt { get; set; }

    public string? MergeSha { get; set; }

    /// <summary>When the Argo CD stand-in's sync that made these weights live finished.</summary>
    public DateTimeOffset? LiveAt { get; set; }

    /// <summary>Closed without a merge (the bot superseded it).</summary>
    public bool ClosedUnmerged { get; set; }

    public string? BodyFile { get; set; }

    public bool IsOpen => MergedAt is null && !ClosedUnmerged;
}
