using Microsoft.Extensions.Logging;
using PromotionBot.Git;

namespace PromotionBot.PullRequests;

public sealed partial class PromotionCycle
{
    /// <summary>Trailer of every bot commit naming its canary (namespace/name); with the branch name, the bot's marker commit.</summary>
    public const string CanaryTrailer = "Promotion-Canary";

    /// <summary>
    /// Bot branches that no open PR uses and that the bot may delete or reuse: only bot commits, the head carrying the
    /// bot's <see cref="CanaryTrailer"/> for the canary the branch is named after, and a PR that is missing or was closed
    /// by the bot. Branches with a person's commits, merged branches and branches of PRs a person closed are left alone.
    /// </summary>
    private async Task<IReadOnlyList<OrphanBranch>> FindOrphansAsync(
        IReadOnlyList<BotPullRequest> open, IReadOnlyList<Octokit.PullRequest> unrecognised, CancellationToken ct)
    {
        var inUse = open.Select(p => p.HeadRef).Concat(unrecognised.Select(p => p.Head.Ref)).ToHashSet(StringComparer.Ordinal);
        var orphans = new List<OrphanBranch>();
        IReadOnlyList<RemoteBranch> branches;
        try
        {
            branches = await git.ListBranchesAsync(PromotionProposal.BranchPrefix, ct);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            // Tidying up can wait a cycle; the canaries' own actions (an urgent rollback) must not.
            logger.LogWarning("Cannot list bot branches ({Error}); orphan branches are reconciled next cycle", ex.Message);
            return [];
        }

        foreach (var branch in branches)
        {
            var key = branch.Name[PromotionProposal.BranchPrefix.Length..];
            if (inUse.Contains(branch.Name) || branch.Authorship != BranchAuthorship.BotOnly
                || branch.HeadTrailers.GetValueOrDefault(CanaryTrailer) != key)
            {
                continue;
            }

            try
            {
                var history = await GitHub.HistoryAsync(branch.Name, branch.HeadSha, ct);
                var why = history.Fate switch
                {
                    BranchFate.NoPullRequest => "no pull request was opened for its head",
                    BranchFate.ClosedByBot => $"its pull request #{history.Number} was closed by the bot",
                    _ => null,
                };
                if (why is not null)
                {
                    orphans.Add(new OrphanBranch(branch.Name, key, branch.HeadSha, why));
                }
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !ct.IsCancellationRequested)
            {
                // Unknown history: keep the branch; the next cycle asks again.
                logger.LogWarning("Branch {Branch}: cannot tell what became of its pull request ({Error}); keeping it", branch.Name, ex.Message);
            }
        }

        return orphans;
    }

    private async Task<string> DeleteOrphanAsync(DeleteOrphanBranch delete, CanaryContext c, CancellationToken ct)
    {
        var orphan = delete.Orphan;
        if (c.DryRun)
        {
            c.Output.WriteLine($"=== would delete branch {orphan.Branch} ({delete.Reason})");
            c.Output.WriteLine();
            return $"would delete branch {orphan.Branch}";
        }

        return await git.DeleteBranchAsync(orphan.Branch, orphan.HeadSha, ct)
            ? $"deleted branch {orphan.Branch} ({orphan.Why})"
            : $"kept branch {orphan.Branch} (it moved or has foreign commits)";
    }
}
