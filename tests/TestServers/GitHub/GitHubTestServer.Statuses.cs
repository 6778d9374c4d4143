using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace TestServers.GitHub;

/// <summary>Commit statuses and the combined status of a ref.</summary>
public sealed partial class GitHubTestServer
{
    private async Task CreateStatus(HttpContext ctx)
    {
        var body = await ReadJson(ctx);
        var sha = (string)ctx.GetRouteValue("sha")!;
        var state = (string?)body?["state"];
        if (state is not ("error" or "failure" or "pending" or "success"))
        {
            await Reply(ctx, 422, Validation("Status", "invalid", "state", null));
            return;
        }

        if (((string?)body?["description"])?.Length > 140)
        {
            await Reply(ctx, 422, Validation("Status", "custom", "description", "description is too long (maximum is 140 characters)"));
            return;
        }

        var id = _nextId++;
        var status = new JsonObject
        {
            ["id"] = id,
            ["node_id"] = $"SC_{id}",
            ["url"] = new Uri(ApiUrl, $"repos/{Owner}/{Repository}/statuses/{sha}").ToString(),
            ["state"] = state,
            ["description"] = (string?)body?["description"],
            ["target_url"] = (string?)body?["target_url"],
            ["context"] = (string?)body?["context"] ?? "default",
            ["created_at"] = Iso(DateTimeOffset.UtcNow),
            ["updated_at"] = Iso(DateTimeOffset.UtcNow),
            ["creator"] = User(),
        };
        if (!_statuses.TryGetValue(sha, out var list))
        {
            _statuses[sha] = list = [];
        }

        list.Add(status);
        await Reply(ctx, 201, status.DeepClone());
    }

    private Task CombinedStatus(HttpContext ctx)
    {
        var reference = (string)ctx.GetRouteValue("ref")!;
        var sha = BranchSha(reference) ?? reference;
        var latest = (_statuses.GetValueOrDefault(sha) ?? []).GroupBy(s => (string)s["context"]!).Select(g => g.Last()).ToList();
        var states = latest.Select(s => (string)s["state"]!).ToList();
        var combined = states.Any(s => s is "failure" or "error") ? "failure"
            : states.Count > 0 && states.All(s => s == "success") ? "success"
            : "pending";
        return Reply(ctx, 200, new JsonObject
        {
            ["state"] = combined,
            ["sha"] = sha,
            ["total_count"] = latest.Count,
            ["statuses"] = new JsonArray([.. latest.Select(s => s.DeepClone())]),
            ["repository"] = new JsonObject { ["name"] = Repository, ["full_name"] = $"{Owner}/{Repository}" },
        });
    }
}
