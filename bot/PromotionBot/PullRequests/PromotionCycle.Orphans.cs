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
    private async Task<IReadOnlyList<OrphanBranch>> FindOrphansAsync(OpenPullRequests open, IPullRequestClient prs, CancellationToken ct)
    {
        if (!prs.KnowsHistory)
        {
            // Without GitHub (a dry run) nothing tells a closed PR's branch from one a person still needs.
            return [];
        }

        var inUse = open.Bot.Select(p => p.HeadRef).Concat(open.Unrecognised.Select(p => p.HeadRef)).ToHashSet(StringComparer.Ordinal);
        var orphans = new List<OrphanBranch>();
        IReadOnlyList<RemoteBranch> branches;
        try
        {
            branches = await git.ListBranchesAsync(PromotionProposal.BranchPrefix, ct);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            // Tidying up can wait a cycle; the canaries' own actions (an urgent rollback) must not.
            CannotListBranches(logger, ex.Message);
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
                var history = await prs.HistoryAsync(branch.Name, branch.HeadSha, ct);
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
                HistoryUnknown(logger, branch.Name, ex.Message);
            }
        }

        return orphans;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Cannot list bot branches ({Error}); orphan branches are reconciled next cycle")]
    private static partial void CannotListBranches(ILogger logger, string error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Branch {Branch}: cannot tell what became of its pull request ({Error}); keeping it")]
    private static partial void HistoryUnknown(ILogger logger, string branch, string error);
}
