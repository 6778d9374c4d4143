using LibGit2Sharp;

namespace PromotionBot.Git;

/// <summary>What is on a remote bot branch beyond the base: whose commits, and on which base commit.</summary>
internal sealed record BranchOwnership(IReadOnlyList<Commit> Commits, Commit? Foreign, string Detail)
{
    public bool IsBotOnly => Foreign is null && Detail.Length == 0;

    /// <summary>
    /// "Bot-authored" means every commit reachable from the branch but not from the base is authored by the bot's e-mail.
    /// A merge of base into the branch made by a human (GitHub's "Update branch") therefore counts as foreign.
    /// </summary>
    public static BranchOwnership Inspect(Repository repo, Commit head, Commit baseHead, string botEmail)
    {
        if (repo.ObjectDatabase.FindMergeBase(head, baseHead) is null)
        {
            return new BranchOwnership([], null, $"branch head {Short(head)} shares no history with the base branch");
        }

        var commits = repo.Commits
            .QueryBy(new CommitFilter
            {
                IncludeReachableFrom = head,
                ExcludeReachableFrom = baseHead,
                SortBy = CommitSortStrategies.Topological,
            })
            .ToList();
        var foreign = commits.FirstOrDefault(c => !string.Equals(c.Author.Email, botEmail, StringComparison.OrdinalIgnoreCase));
        var detail = foreign is null
            ? string.Empty
            : $"commit {Short(foreign)} by {foreign.Author.Name} <{foreign.Author.Email}> (\"{foreign.MessageShort}\") is not the bot's";
        return new BranchOwnership(commits, foreign, detail);
    }

    /// <summary>The branch is already exactly one bot commit on <paramref name="baseHead"/> with this tree.</summary>
    public bool IsExactly(Commit baseHead, Tree tree) =>
        IsBotOnly && Commits.Count == 1 && Commits[0].Parents.Count() == 1
        && Commits[0].Parents.Single().Id == baseHead.Id && Commits[0].Tree.Id == tree.Id;

    public static string Short(Commit c) => c.Sha[..12];
}
