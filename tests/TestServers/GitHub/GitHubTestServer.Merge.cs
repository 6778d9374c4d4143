using System.Text.Json.Nodes;
using LibGit2Sharp;
using Microsoft.AspNetCore.Http;

namespace TestServers.GitHub;

/// <summary>
/// PUT repos/{o}/{r}/pulls/{n}/merge: a real merge into the bare repository's base branch, with GitHub's documented
/// answers: 200 {sha, merged, message}; 405 when the PR is closed, already merged or conflicts with its base; 409 when
/// the sha sent is no longer the head; 422 for an unknown merge_method.
/// </summary>
public sealed partial class GitHubTestServer
{
    private const string MergeDocs = "https://docs.github.com/rest/pulls/pulls#merge-a-pull-request";

    private async Task MergePullApi(HttpContext ctx)
    {
        var body = await ReadJson(ctx);
        MergeMethod? method = ((string?)body?["merge_method"] ?? "merge") switch
        {
            "merge" => MergeMethod.Merge,
            "squash" => MergeMethod.Squash,
            "rebase" => MergeMethod.Rebase,
            _ => null,
        };
        if (method is null)
        {
            await Reply(ctx, 422, Validation("PullRequest", "invalid", "merge_method", null));
            return;
        }

        await WithPull(ctx, pr =>
        {
            var outcome = MergePull(pr, method.Value, (string?)body?["sha"], (string?)body?["commit_title"], (string?)body?["commit_message"],
                (string)ctx.Items[CallerLogin]!);
            return outcome.Sha is { } sha
                ? Reply(ctx, 200, new JsonObject { ["sha"] = sha, ["merged"] = true, ["message"] = outcome.Message })
                : Reply(ctx, outcome.Status, Message(outcome.Message, MergeDocs));
        });
    }

    /// <summary>The answer to a merge: Sha is set exactly when it merged.</summary>
    private sealed record MergeOutcome(int Status, string Message, string? Sha);

    /// <summary>Merges under <see cref="_gate"/> (the caller holds it), so no other server write interleaves.</summary>
    private MergeOutcome MergePull(JsonObject pr, MergeMethod method, string? expectedSha, string? commitTitle, string? commitMessage, string mergedBy)
    {
        const string notMergeable = "Pull Request is not mergeable";
        Refresh(pr);
        if ((string)pr["state"]! != "open" || BareRepoPath is null)
        {
            return new MergeOutcome(405, notMergeable, null);
        }

        var number = (int)pr["number"]!;
        var headRef = (string)pr["head"]!["ref"]!;
        using var repo = new LibGit2Sharp.Repository(BareRepoPath);
        var head = repo.Branches[headRef]?.Tip;
        var baseBranch = repo.Branches[(string)pr["base"]!["ref"]!];
        if (head is null || baseBranch?.Tip is not { } baseTip)
        {
            return new MergeOutcome(405, notMergeable, null);
        }

        if (expectedSha is not null && !string.Equals(expectedSha, head.Sha, StringComparison.OrdinalIgnoreCase))
        {
            return new MergeOutcome(409, "Head branch was modified. Review and try the merge again.", null);
        }

        var now = DateTimeOffset.UtcNow;
        var merger = new Signature(mergedBy, $"{mergedBy}@users.noreply.github.example", now);
        var github = new Signature("GitHub", "noreply@github.com", now);
        var title = (string)pr["title"]!;
        var headOnBase = repo.ObjectDatabase.FindMergeBase(head, baseTip)?.Id == baseTip.Id;
        Commit? merged;
        if (method == MergeMethod.FastForward && headOnBase)
        {
            merged = head;
        }
        else if (method == MergeMethod.Rebase)
        {
            merged = Rebase(repo, head, baseTip, github);
        }
        else if (MergedTree(repo, head, baseTip, headOnBase) is not { } tree)
        {
            merged = null;
        }
        else
        {
            merged = method == MergeMethod.Squash
                ? repo.ObjectDatabase.CreateCommit(merger, github,
                    CommitText(commitTitle ?? $"{title} (#{number})", commitMessage ?? SquashedMessages(repo, head, baseTip)), tree, [baseTip], prettifyMessage: false)
                : repo.ObjectDatabase.CreateCommit(merger, github,
                    CommitText(commitTitle ?? $"Merge pull request #{number} from {Owner}/{headRef}", commitMessage ?? title), tree, [baseTip, head], prettifyMessage: false);
        }

        if (merged is null)
        {
            return new MergeOutcome(405, notMergeable, null);
        }

        repo.Refs.UpdateTarget(repo.Refs[baseBranch.CanonicalName], merged.Id, $"merge: pull request #{number}");
        var at = Iso(now);
        pr["state"] = "closed";
        pr["closed_at"] = at;
        pr["updated_at"] = at;
        pr["merged"] = true;
        pr["merged_at"] = at;
        pr["merged_by"] = Person(mergedBy);
        pr["merge_commit_sha"] = merged.Sha;
        pr["mergeable"] = null;
        pr["mergeable_state"] = "unknown";
        return new MergeOutcome(200, "Pull Request successfully merged", merged.Sha);
    }

    /// <summary>mergeable / mergeable_state of an open PR, as GitHub computes them for a single-PR GET.</summary>
    private void SetMergeable(JsonObject pr)
    {
        if ((string)pr["state"]! != "open" || BareRepoPath is null)
        {
            return;
        }

        using var repo = new LibGit2Sharp.Repository(BareRepoPath);
        if (repo.Branches[(string)pr["head"]!["ref"]!]?.Tip is not { } head || repo.Branches[(string)pr["base"]!["ref"]!]?.Tip is not { } baseTip)
        {
            return;
        }

        var clean = MergedTree(repo, head, baseTip, repo.ObjectDatabase.FindMergeBase(head, baseTip)?.Id == baseTip.Id) is not null;
        pr["mergeable"] = clean;
        pr["mergeable_state"] = clean ? "clean" : "dirty";
    }

    /// <summary>The tree base + head would have, or null when they conflict.</summary>
    private static Tree? MergedTree(LibGit2Sharp.Repository repo, Commit head, Commit baseTip, bool headOnBase)
    {
        if (headOnBase)
        {
            return head.Tree;
        }

        var result = repo.ObjectDatabase.MergeCommits(head, baseTip, new MergeTreeOptions());
        return result.Status == MergeTreeStatus.Succeeded ? result.Tree : null;
    }

    /// <summary>Replays base..head on the base tip; null on a conflict or a merge commit (which GitHub will not rebase).</summary>
    private static Commit? Rebase(LibGit2Sharp.Repository repo, Commit head, Commit baseTip, Signature committer)
    {
        var commits = repo.Commits.QueryBy(new CommitFilter
        {
            IncludeReachableFrom = head,
            ExcludeReachableFrom = baseTip,
            SortBy = CommitSortStrategies.Topological | CommitSortStrategies.Reverse,
        }).ToList();
        var onto = baseTip;
        foreach (var commit in commits)
        {
            if (commit.Parents.Count() != 1)
            {
                return null;
            }

            var picked = repo.ObjectDatabase.CherryPickCommit(commit, onto, 0, new MergeTreeOptions());
            if (picked.Status != MergeTreeStatus.Succeeded)
            {
                return null;
            }

            onto = repo.ObjectDatabase.CreateCommit(commit.Author, committer, commit.Message, picked.Tree, [onto], prettifyMessage: false);
        }

        return onto;
    }

    /// <summary>GitHub's default squash message: the head's commit messages, one bullet each when there are several.</summary>
    private static string SquashedMessages(LibGit2Sharp.Repository repo, Commit head, Commit baseTip)
    {
        var messages = repo.Commits.QueryBy(new CommitFilter { IncludeReachableFrom = head, ExcludeReachableFrom = baseTip, SortBy = CommitSortStrategies.Topological | CommitSortStrategies.Reverse })
            .Select(c => c.Message.TrimEnd()).ToList();
        return messages.Count == 1 ? messages[0] : string.Join("\n\n", messages.Select(m => "* " + m));
    }

    private static string CommitText(string title, string message) => message.Length == 0 ? title + "\n" : $"{title}\n\n{message.TrimEnd()}\n";
}
