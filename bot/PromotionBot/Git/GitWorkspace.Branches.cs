using Microsoft.Extensions.Logging;

namespace PromotionBot.Git;

public sealed partial class GitWorkspace
{
    public async Task<string?> RemoteHeadAsync(string branch, CancellationToken ct)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(branch);
        await gate.WaitAsync(ct);
        try
        {
            return await retry.RunAsync(
                $"Reading branch {branch}",
                c =>
                {
                    using var repo = OpenFetched(c);
                    return Attempt<string?>.Success(RemoteBranchHead(repo, branch)?.Sha);
                },
                ct);
        }
        finally
        {
            gate.Release();
        }
    }

    public async Task<bool> DeleteBranchAsync(string branch, CancellationToken ct)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(branch);
        if (branch == options.BaseBranch)
        {
            throw new ArgumentException($"The bot never deletes the base branch '{branch}'.", nameof(branch));
        }

        await gate.WaitAsync(ct);
        try
        {
            return await retry.RunAsync($"Deleting branch {branch}", c => DeleteOnce(branch, c), ct);
        }
        finally
        {
            gate.Release();
        }
    }

    private Attempt<bool> DeleteOnce(string branch, CancellationToken ct)
    {
        using var repo = OpenFetched(ct);
        var head = RemoteBranchHead(repo, branch);
        if (head is null)
        {
            return Attempt<bool>.Success(true);
        }

        var ownership = BranchOwnership.Inspect(repo, head, BaseHead(repo), options.AuthorEmail);
        if (!ownership.IsBotOnly)
        {
            logger.LogWarning("Not deleting branch {Branch}: {Detail}", branch, ownership.Detail);
            return Attempt<bool>.Success(false);
        }

        var problem = PushWithLease(repo, commit: null, branch, head.Id, ct);
        if (problem is not null)
        {
            return Attempt<bool>.Again(problem);
        }

        logger.LogInformation("Deleted branch {Branch} (was {Sha})", branch, head.Sha[..12]);
        return Attempt<bool>.Success(true);
    }
}
