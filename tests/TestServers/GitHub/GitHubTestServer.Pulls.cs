using System.Globalization;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace TestServers.GitHub;

/// <summary>repos/{o}/{r}/pulls: list with filters, create (201 / 422), get, update.</summary>
public sealed partial class GitHubTestServer
{
    private Task ListPulls(HttpContext ctx)
    {
        var q = ctx.Request.Query;
        var state = q["state"].ToString() is { Length: > 0 } s ? s : "open";
        var head = q["head"].ToString();
        var baseRef = q["base"].ToString();
        var result = _pulls.Select(Refresh)
            .Where(p => state == "all" || (string)p["state"]! == state)
            .Where(p => head.Length == 0 || (string)p["head"]!["label"]! == (head.Contains(':', StringComparison.Ordinal) ? head : $"{Owner}:{head}"))
            .Where(p => baseRef.Length == 0 || (string)p["base"]!["ref"]! == baseRef);
        result = q["direction"] == "asc" ? result.OrderBy(p => (int)p["number"]!) : result.OrderByDescending(p => (int)p["number"]!);
        return Reply(ctx, 200, new JsonArray([.. result.Select(p => p.DeepClone())]));
    }

    private async Task CreatePull(HttpContext ctx)
    {
        var body = await ReadJson(ctx);
        var title = (string?)body?["title"];
        var head = (string?)body?["head"];
        var baseRef = (string?)body?["base"];
        if (string.IsNullOrEmpty(title) || string.IsNullOrEmpty(head) || string.IsNullOrEmpty(baseRef))
        {
            await Reply(ctx, 422, Validation("PullRequest", "missing_field", string.IsNullOrEmpty(title) ? "title" : string.IsNullOrEmpty(head) ? "head" : "base", null));
            return;
        }

        var headRef = head.Contains(':', StringComparison.Ordinal) ? head[(head.IndexOf(':', StringComparison.Ordinal) + 1)..] : head;
        if (BareRepoPath is not null && (BranchSha(headRef) is null || BranchSha(baseRef) is null))
        {
            await Reply(ctx, 422, Validation("PullRequest", "invalid", BranchSha(headRef) is null ? "head" : "base", null));
            return;
        }

        var label = $"{Owner}:{headRef}";
        if (_pulls.Any(p => (string)p["state"]! == "open" && (string)p["head"]!["label"]! == label && (string)p["base"]!["ref"]! == baseRef))
        {
            await Reply(ctx, 422, Validation("PullRequest", "custom", null, $"A pull request already exists for {label}."));
            return;
        }

        await Reply(ctx, 201, NewPull(title, (string?)body?["body"] ?? "", headRef, baseRef).DeepClone());
    }

    private JsonObject NewPull(string title, string body, string headRef, string baseRef)
    {
        var number = _nextNumber++;
        var now = Iso(DateTimeOffset.UtcNow);
        var pr = new JsonObject
        {
            ["id"] = _nextId++,
            ["node_id"] = $"PR_{number}",
            ["number"] = number,
            ["state"] = "open",
            ["locked"] = false,
            ["title"] = title,
            ["body"] = body,
            ["user"] = User(),
            ["labels"] = new JsonArray(),
            ["created_at"] = now,
            ["updated_at"] = now,
            ["closed_at"] = null,
            ["merged_at"] = null,
            ["merged"] = false,
            ["merged_by"] = null,
            ["merge_commit_sha"] = null,
            ["mergeable"] = null,
            ["mergeable_state"] = "unknown",
            ["draft"] = false,
            ["url"] = new Uri(ApiUrl, $"repos/{Owner}/{Repository}/pulls/{number}").ToString(),
            ["html_url"] = $"https://github.example/{Owner}/{Repository}/pull/{number}",
            ["head"] = new JsonObject { ["label"] = $"{Owner}:{headRef}", ["ref"] = headRef, ["sha"] = BranchSha(headRef) ?? new string('0', 40), ["user"] = User() },
            ["base"] = new JsonObject { ["label"] = $"{Owner}:{baseRef}", ["ref"] = baseRef, ["sha"] = BranchSha(baseRef) ?? new string('0', 40), ["user"] = User() },
        };
        _pulls.Add(pr);
        return pr;
    }

    private async Task UpdatePull(HttpContext ctx)
    {
        var body = await ReadJson(ctx);
        await WithPull(ctx, pr =>
        {
            // GitHub tracks pushes as they happen: a PR closed now keeps the head its branch has now.
            Refresh(pr);
            foreach (var field in new[] { "title", "body", "state" })
            {
                if (body?[field] is { } value)
                {
                    pr[field] = value.DeepClone();
                }
            }

            if (body?["base"] is { } b)
            {
                pr["base"]!["ref"] = b.DeepClone();
            }

            pr["updated_at"] = Iso(DateTimeOffset.UtcNow);
            if ((string)pr["state"]! == "closed")
            {
                pr["closed_at"] = Iso(DateTimeOffset.UtcNow);
            }

            return Reply(ctx, 200, Refresh(pr).DeepClone());
        });
    }

    private Task WithPull(HttpContext ctx, Func<JsonObject, Task> handler)
    {
        var number = int.Parse((string)ctx.GetRouteValue("number")!, CultureInfo.InvariantCulture);
        var pr = _pulls.FirstOrDefault(p => (int)p["number"]! == number);
        return pr is null ? Reply(ctx, 404, NotFound()) : handler(pr);
    }

    /// <summary>GitHub follows pushes: an open PR's head sha is its branch's tip (a deleted branch keeps the last one).</summary>
    private JsonObject Refresh(JsonObject pr)
    {
        if ((string)pr["state"]! == "open" && BranchSha((string)pr["head"]!["ref"]!) is { } sha)
        {
            pr["head"]!["sha"] = sha;
        }

        if (BranchSha((string)pr["base"]!["ref"]!) is { } baseSha)
        {
            pr["base"]!["sha"] = baseSha;
        }

        return pr;
    }

    private string? BranchSha(string branch)
    {
        if (BareRepoPath is null)
        {
            return null;
        }

        using var repo = new LibGit2Sharp.Repository(BareRepoPath);
        return repo.Branches[branch]?.Tip?.Sha;
    }
}
