using LibGit2Sharp;
using Microsoft.Extensions.Logging;

namespace PromotionBot.Git;

public sealed partial class GitWorkspace
{
    public Task<PublishResult> PublishAsync(ProposedChange change, CancellationToken ct)
    {
        CommitBuilder.Validate(change, options.BaseBranch);

        // Every attempt starts from a fresh fetch, so a rejection caused by a moved base or branch is
        // answered by re-evaluating (maybe now UpToDate or ForeignCommits) and rebuilding on the new base.
        return ExclusiveAsync(() => retry.RunAsync($"Publishing branch {change.Branch}", c => PublishOnce(change, c), ct), ct);
    }

    private Attempt<PublishResult> PublishOnce(ProposedChange change, CancellationToken ct)
    {
        using var repo = OpenFetched(ct);
        var baseHead = BaseHead(repo);
        var remoteHead = RemoteBranchHead(repo, change.Branch);

        BranchOwnership? ownership = null;
        if (remoteHead is not null)
        {
            ownership = BranchOwnership.Inspect(repo, remoteHead, baseHead, options.AuthorEmail);
            if (!ownership.IsBotOnly)
            {
                logger.LeavingBranchAlone(change.Branch, ownership.Detail);
                return Attempt<PublishResult>.Success(new PublishResult(PublishOutcome.ForeignCommits, remoteHead.Sha, ownership.Detail));
            }
        }

        RefuseIfFilesChangedSinceSync(repo, baseHead, change);
        var tree = CommitBuilder.BuildTree(repo, baseHead, change.Files);
        if (tree.Id == baseHead.Tree.Id)
        {
            throw new GitWorkspaceException(
                $"The change for {change.Branch} makes no difference to {options.BaseBranch} at {baseHead.Sha[..12]}.");
        }

        if (remoteHead is not null && ownership!.IsExactly(baseHead, tree))
        {
            logger.BranchUpToDate(change.Branch, baseHead.Sha[..12]);
            return Attempt<PublishResult>.Success(new PublishResult(
                PublishOutcome.UpToDate, remoteHead.Sha, $"{change.Branch} is already this change on {options.BaseBranch} {baseHead.Sha[..12]}"));
        }

        var commit = CommitBuilder.Create(repo, tree, baseHead, CommitBuilder.Message(change), options, time.GetUtcNow());
        var problem = PushWithLease(repo, commit, change.Branch, remoteHead?.Id, ct);
        if (problem is not null)
        {
            return Attempt<PublishResult>.Again(problem);
        }

        var detail = remoteHead is null
            ? $"created {change.Branch} at {commit.Sha[..12]} on {options.BaseBranch} {baseHead.Sha[..12]}"
            : $"moved {change.Branch} from {remoteHead.Sha[..12]} to {commit.Sha[..12]} on {options.BaseBranch} {baseHead.Sha[..12]}";
        logger.Pushed(detail);
        return Attempt<PublishResult>.Success(new PublishResult(PublishOutcome.Pushed, commit.Sha, detail));
    }

    /// <summary>
    /// The file contents were computed from the base the caller synced. If the base moved and touched one of those
    /// files, writing them onto the new base would silently revert someone's change; the next cycle re-analyses instead.
    /// </summary>
    private void RefuseIfFilesChangedSinceSync(Repository repo, Commit baseHead, ProposedChange change)
    {
        if (syncedBaseSha is null || syncedBaseSha == baseHead.Sha || repo.Lookup<Commit>(syncedBaseSha) is not { } synced)
        {
            return;
        }

        foreach (var path in change.Files.Keys)
        {
            if (synced[path]?.Target.Id != baseHead[path]?.Target.Id)
            {
                throw new GitWorkspaceException(
                    $"{path} changed on {options.BaseBranch} since the analysed commit {syncedBaseSha[..12]} (now {baseHead.Sha[..12]}); " +
                    "not overwriting it. Sync and analyse again.");
            }
        }
    }
}
