namespace TestServers.GitHub;

/// <summary>A pull request the demo reviewer merged: when it opened (GitHub's created_at), when the merge answered, and the merge commit.</summary>
public sealed record ReviewedPull(int Number, string Title, string HeadRef, DateTimeOffset OpenedAt, DateTimeOffset MergedAt, string MergeSha, string Body);
