using Microsoft.Extensions.Logging;

namespace PromotionBot.Git;

public sealed partial class GitWorkspace
{
    public Task<string?> RemoteHeadAsync(string branch, CancellationToken ct)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(branch);
        return ExclusiveAsync(
            () => retry.RunAsync(
                $"Reading branch {branch}",
                c =>
                {
                    using var repo = OpenFetched(c);
                    return Attempt<string?>.Success(RemoteBranchHead(repo, branch)?.Sha);
                },
                ct),
            ct);
    }

    public Task<bool> DeleteBranchAsync(string branch, CancellationToken ct)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(branch);
        if (branch == options.BaseBranch)
        {
            throw new ArgumentException($"The bot never deletes the base branch '{branch}'.", nameof(branch));
        }

        return ExclusiveAsync(() => retry.RunAsync($"Deleting branch {branch}", c => DeleteOnce(branch, expectedHead: null, c), ct), ct);
    }

    /// <param name="expectedHead">Delete only while the branch is at this commit; null = whatever bot commit it holds.</param>
    private Attempt<bool> DeleteOnce(string branch, string? expectedHead, CancellationToken ct)
    {
        using var repo = OpenFetched(ct);
        var head = RemoteBranchHead(repo, branch);
        if (head is null)
        {
            return Attempt<bool>.Success(true);
        }

        if (expectedHead is not null && head.Sha != expectedHead)
        {
            logger.NotDeletingMoved(branch, head.Sha[..12]);
            return Attempt<bool>.Success(false);
        }

        var ownership = BranchOwnership.Inspect(repo, head, BaseHead(repo), options.AuthorEmail);
        if (!ownership.IsBotOnly)
        {
            logger.NotDeleting(branch, ownership.Detail);
            return Attempt<bool>.Success(false);
        }

        var problem = PushWithLease(repo, commit: null, branch, head.Id, ct);
        if (problem is not null)
        {
            return Attempt<bool>.Again(problem);
        }

        logger.Deleted(branch, head.Sha[..12]);
        return Attempt<bool>.Success(true);
    }
}
