using LibGit2Sharp;

namespace PromotionBot.Git;

public sealed partial class GitWorkspace
{
    /// <summary>
    /// The newest commit reachable from <paramref name="fromSha"/> (the synced base head) that changed
    /// <paramref name="path"/>; null when no commit ever touched it. Reads the clone as fetched: no network.
    /// </summary>
    public Task<string?> LastCommitChangingAsync(string fromSha, string path, CancellationToken ct) => ExclusiveAsync(
        () => Task.Run(
            () =>
            {
                using var repo = new Repository(CloneDirectory);
                var from = repo.Lookup<Commit>(fromSha)
                    ?? throw new GitWorkspaceException($"Commit {fromSha} is not in the clone; sync first.");
                var filter = new CommitFilter { IncludeReachableFrom = from, SortBy = CommitSortStrategies.Topological | CommitSortStrategies.Time };
                return repo.Commits.QueryBy(path, filter).FirstOrDefault()?.Commit.Sha;
            },
            ct),
        ct);

    /// <summary>
    /// Whether <paramref name="descendantSha"/> contains <paramref name="ancestorSha"/> (equal, or the ancestor is in its
    /// history). Null when either commit is unknown to the clone (e.g. a revision newer than the last fetch).
    /// </summary>
    public Task<bool?> ContainsAsync(string descendantSha, string ancestorSha, CancellationToken ct) => ExclusiveAsync(
        () => Task.Run(
            () =>
            {
                if (string.Equals(descendantSha, ancestorSha, StringComparison.OrdinalIgnoreCase))
                {
                    return (bool?)true;
                }

                using var repo = new Repository(CloneDirectory);
                if (!ObjectId.TryParse(descendantSha, out var d) || !ObjectId.TryParse(ancestorSha, out var a)
                    || repo.Lookup<Commit>(d) is not { } descendant || repo.Lookup<Commit>(a) is not { } ancestor)
                {
                    return null;
                }

                return repo.ObjectDatabase.FindMergeBase(descendant, ancestor)?.Id == ancestor.Id;
            },
            ct),
        ct);
}
