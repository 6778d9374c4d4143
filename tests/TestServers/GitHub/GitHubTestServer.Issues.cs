using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace TestServers.GitHub;

/// <summary>Issue comments and labels (PRs are issues on GitHub).</summary>
public sealed partial class GitHubTestServer
{
    private async Task CreateComment(HttpContext ctx)
    {
        var body = await ReadJson(ctx);
        await WithPull(ctx, pr =>
        {
            var text = (string?)body?["body"];
            if (string.IsNullOrEmpty(text))
            {
                return Reply(ctx, 422, Validation("IssueComment", "missing_field", "body", null));
            }

            var number = (int)pr["number"]!;
            var id = _nextId++;
            var comment = new JsonObject
            {
                ["id"] = id,
                ["node_id"] = $"IC_{id}",
                ["body"] = text,
                ["user"] = User(),
                ["created_at"] = Iso(DateTimeOffset.UtcNow),
                ["updated_at"] = Iso(DateTimeOffset.UtcNow),
                ["html_url"] = $"https://github.example/{Owner}/{Repository}/pull/{number}#issuecomment-{id}",
                ["url"] = new Uri(ApiUrl, $"repos/{Owner}/{Repository}/issues/comments/{id}").ToString(),
            };
            if (!_comments.TryGetValue(number, out var list))
            {
                _comments[number] = list = [];
            }

            list.Add(comment);
            return Reply(ctx, 201, comment.DeepClone());
        });
    }

    private async Task SetLabels(HttpContext ctx, bool replace)
    {
        var body = await ReadJson(ctx);
        // Both documented forms: a bare array of names, or {"labels": [...]}.
        var names = (body is JsonArray arr ? arr : body?["labels"] as JsonArray)?.Select(n => (string)n!).ToList();
        if (names is null)
        {
            await Reply(ctx, 422, Validation("Label", "invalid", "labels", null));
            return;
        }

        await WithPull(ctx, pr =>
        {
            var current = replace ? [] : ((JsonArray)pr["labels"]!).Select(l => (string)l!["name"]!).ToList();
            foreach (var name in names.Where(n => !current.Contains(n, StringComparer.OrdinalIgnoreCase)))
            {
                current.Add(name);
            }

            // Like GitHub, adding an unknown label to an issue creates it.
            pr["labels"] = new JsonArray([.. current.Select(n => Label(n).DeepClone())]);
            return Reply(ctx, 200, pr["labels"]!.DeepClone());
        });
    }

    private async Task CreateLabel(HttpContext ctx)
    {
        var body = await ReadJson(ctx);
        var name = (string?)body?["name"];
        if (string.IsNullOrEmpty(name))
        {
            await Reply(ctx, 422, Validation("Label", "missing_field", "name", null));
            return;
        }

        if (_labels.ContainsKey(name))
        {
            await Reply(ctx, 422, Validation("Label", "already_exists", "name", null));
            return;
        }

        await Reply(ctx, 201, Label(name, (string?)body?["color"], (string?)body?["description"]).DeepClone());
    }

    private JsonObject Label(string name, string? color = null, string? description = null)
    {
        if (!_labels.TryGetValue(name, out var label))
        {
            var id = _nextId++;
            _labels[name] = label = new JsonObject
            {
                ["id"] = id,
                ["node_id"] = $"LA_{id}",
                ["url"] = new Uri(ApiUrl, $"repos/{Owner}/{Repository}/labels/{Uri.EscapeDataString(name)}").ToString(),
                ["name"] = name,
                ["color"] = color ?? "ededed",
                ["description"] = description,
                ["default"] = false,
            };
        }

        return label;
    }
}
