using LibGit2Sharp;

namespace PromotionBot.Git;

public sealed partial class GitWorkspace
{
    /// <summary>
    /// Every branch on the remote under <paramref name="prefix"/> after a fresh fetch (deleted branches pruned), with
    /// who authored it and its head commit's trailers: what the caller needs to recognise a branch the bot left behind.
    /// </summary>
    public Task<IReadOnlyList<RemoteBranch>> ListBranchesAsync(string prefix, CancellationToken ct)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(prefix);
        return ExclusiveAsync(
            () => retry.RunAsync(
                $"Listing branches {prefix}*",
                c =>
                {
                    using var repo = OpenFetched(c);
                    var baseHead = BaseHead(repo);
                    var remotePrefix = $"refs/remotes/{CloneCache.RemoteName}/";
                    var branches = new List<RemoteBranch>();
                    foreach (var reference in repo.Refs.FromGlob(remotePrefix + prefix + "*").OrderBy(r => r.CanonicalName, StringComparer.Ordinal))
                    {
                        if (reference.ResolveToDirectReference()?.Target is not Commit head)
                        {
                            continue;
                        }

                        var name = reference.CanonicalName[remotePrefix.Length..];
                        var trailers = CommitBuilder.Trailers(head.Message);
                        var ownership = BranchOwnership.Inspect(repo, head, baseHead, options.AuthorEmail);
                        var authorship = !ownership.IsBotOnly ? BranchAuthorship.Foreign
                            : ownership.Commits.Count == 0 ? BranchAuthorship.InBase
                            : BranchAuthorship.BotOnly;
                        branches.Add(new RemoteBranch(name, head.Sha, authorship, trailers, ownership.Detail));
                    }

                    return Attempt<IReadOnlyList<RemoteBranch>>.Success(branches);
                },
                ct),
            ct);
    }

    /// <summary>
    /// Deletes <paramref name="branch"/> only while it still points at <paramref name="expectedHead"/> and holds bot
    /// commits only: a branch that moved since the caller judged it (a push, a person's commit) is left for the next cycle.
    /// </summary>
    /// <returns>True when the branch is gone (deleted now or already absent); false when it was left alone.</returns>
    public Task<bool> DeleteBranchAsync(string branch, string expectedHead, CancellationToken ct)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(branch);
        ArgumentException.ThrowIfNullOrWhiteSpace(expectedHead);
        if (branch == options.BaseBranch)
        {
            throw new ArgumentException($"The bot never deletes the base branch '{branch}'.", nameof(branch));
        }

        return ExclusiveAsync(() => retry.RunAsync($"Deleting branch {branch}", c => DeleteOnce(branch, expectedHead, c), ct), ct);
    }
}
