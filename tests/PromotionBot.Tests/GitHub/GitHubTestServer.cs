using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using LibGit2Sharp;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace PromotionBot.Tests.GitHub;

/// <summary>Failures the server can be told to return for the next calls.</summary>
public enum GitHubFault
{
    /// <summary>403 + x-ratelimit-remaining: 0 + x-ratelimit-reset (primary rate limit).</summary>
    PrimaryRateLimit,

    /// <summary>403 + Retry-After + "secondary rate limit" message.</summary>
    SecondaryRateLimit,

    /// <summary>429 + Retry-After.</summary>
    TooManyRequests,

    ServerError,
    BadGateway,

    /// <summary>The call is carried out, but the client gets a 502 instead of the answer (a lost response).</summary>
    LoseResponse,
}

/// <summary>One request as the server saw it, and what it answered.</summary>
public sealed record RecordedRequest(string Method, string Path, string? Authorization, string RequestBody, int Status, string ResponseBody)
{
    public bool IsWrite => Method is not ("GET" or "HEAD");
}

/// <summary>
/// A small, stateful stand-in for the GitHub REST API on loopback, speaking the documented JSON shapes and status codes
/// closely enough for Octokit: pulls, issue comments and labels, commit statuses, App installation tokens, rate_limit.
/// PR heads are read from a bare git repository on disk, so a push by the bot is what moves a PR's head.
/// </summary>
public sealed class GitHubTestServer : IAsyncDisposable
{
    private readonly object _gate = new();
    private readonly WebApplication _app;
    private readonly List<JsonObject> _pulls = [];
    private readonly Dictionary<int, List<JsonObject>> _comments = [];
    private readonly Dictionary<string, JsonObject> _labels = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<string, List<JsonObject>> _statuses = [];
    private readonly List<RecordedRequest> _requests = [];
    private readonly List<(GitHubFault Fault, int Seconds, string? Match)> _faults = [];
    private readonly HashSet<string> _tokens = new(StringComparer.Ordinal);
    private int _nextNumber = 1;
    private long _nextId = 1000;

    private GitHubTestServer(string owner, string repository, string? bareRepoPath)
    {
        Owner = owner;
        Repository = repository;
        BareRepoPath = bareRepoPath;
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(o => o.Listen(IPAddress.Loopback, 0));
        _app = builder.Build();
        _app.Use(Record);
        // Octokit talks to any host other than github.com as GitHub Enterprise Server, under /api/v3/.
        MapRoutes(_app);
        MapRoutes(_app.MapGroup("/api/v3"));
        _app.MapFallback(ctx => Reply(ctx, 404, NotFound()));
    }

    public string Owner { get; }

    public string Repository { get; }

    public string? BareRepoPath { get; }

    /// <summary>API root for Octokit (which appends /api/v3/ itself, as for GitHub Enterprise Server).</summary>
    public Uri ApiUrl { get; private set; } = null!;

    public string Login { get; set; } = "promotion-bot[bot]";

    /// <summary>App authentication: the App id and the public half of its key; null disables App endpoints.</summary>
    public (long AppId, long InstallationId, RSA PublicKey)? App { get; set; }

    public TimeSpan InstallationTokenLifetime { get; set; } = TimeSpan.FromHours(1);

    public int InstallationTokensIssued { get; private set; }

    public static async Task<GitHubTestServer> StartAsync(string owner, string repository, string? bareRepoPath = null)
    {
        var server = new GitHubTestServer(owner, repository, bareRepoPath);
        await server._app.StartAsync();
        var address = server._app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        server.ApiUrl = new Uri(address.TrimEnd('/') + "/");
        return server;
    }

    public void AcceptToken(string token)
    {
        lock (_gate)
        {
            _tokens.Add(token);
        }
    }

    /// <summary>The next <paramref name="count"/> API calls fail with <paramref name="fault"/> (waits of <paramref name="seconds"/>).</summary>
    /// <param name="match">Only matching calls fail: "POST /repos/acme/gitops/pulls" (method + path containing the text), "POST" (method); null = any call.</param>
    public void FailNext(GitHubFault fault, int count = 1, int seconds = 1, string? match = null)
    {
        lock (_gate)
        {
            for (var i = 0; i < count; i++)
            {
                _faults.Add((fault, seconds, match));
            }
        }
    }

    public void ClearFaults()
    {
        lock (_gate)
        {
            _faults.Clear();
        }
    }

    public IReadOnlyList<RecordedRequest> Requests
    {
        get
        {
            lock (_gate)
            {
                return _requests.ToList();
            }
        }
    }

    public void ClearRequests()
    {
        lock (_gate)
        {
            _requests.Clear();
        }
    }

    /// <summary>Snapshot of all PRs (open and closed) as the API would show them.</summary>
    public IReadOnlyList<JsonObject> PullRequests
    {
        get
        {
            lock (_gate)
            {
                return _pulls.Select(p => (JsonObject)Refresh(p).DeepClone()).ToList();
            }
        }
    }

    public IReadOnlyList<string> CommentsOn(int number)
    {
        lock (_gate)
        {
            return _comments.GetValueOrDefault(number)?.Select(c => (string)c["body"]!).ToList() ?? [];
        }
    }

    /// <summary>Latest status per context on a commit.</summary>
    public JsonObject? Status(string sha, string context)
    {
        lock (_gate)
        {
            return _statuses.GetValueOrDefault(sha)?.LastOrDefault(s => (string?)s["context"] == context)?.DeepClone().AsObject();
        }
    }

    /// <summary>What a person does in the web UI: open a PR (bypasses faults and recording).</summary>
    public int CreatePullRequestDirectly(string head, string baseRef, string title, string body)
    {
        lock (_gate)
        {
            return (int)NewPull(title, body, head, baseRef)["number"]!;
        }
    }

    /// <summary>What a person does in the web UI: close or merge-close a PR.</summary>
    public void ClosePullRequestDirectly(int number)
    {
        lock (_gate)
        {
            _pulls.Single(p => (int)p["number"]! == number)["state"] = "closed";
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private void MapRoutes(IEndpointRouteBuilder api)
    {
        api.MapGet("/rate_limit", ctx => Authed(ctx, () => Reply(ctx, 200, new JsonObject
        {
            ["resources"] = new JsonObject { ["core"] = RateObject() },
            ["rate"] = RateObject(),
        })));
        api.MapPost("/app/installations/{id}/access_tokens", InstallationToken);

        const string repo = "/repos/{owner}/{repo}";
        api.MapGet(repo + "/pulls", ctx => Repo(ctx, () => ListPulls(ctx)));
        api.MapPost(repo + "/pulls", ctx => Repo(ctx, () => CreatePull(ctx)));
        api.MapGet(repo + "/pulls/{number:int}", ctx => Repo(ctx, () => WithPull(ctx, pr => Reply(ctx, 200, Refresh(pr).DeepClone()))));
        api.MapMethods(repo + "/pulls/{number:int}", ["PATCH"], ctx => Repo(ctx, () => UpdatePull(ctx)));
        api.MapGet(repo + "/issues/{number:int}/comments", ctx => Repo(ctx, () => WithPull(ctx, pr =>
            Reply(ctx, 200, new JsonArray([.. (_comments.GetValueOrDefault((int)pr["number"]!) ?? []).Select(c => c.DeepClone())])))));
        api.MapPost(repo + "/issues/{number:int}/comments", ctx => Repo(ctx, () => CreateComment(ctx)));
        api.MapGet(repo + "/issues/{number:int}/labels", ctx => Repo(ctx, () => WithPull(ctx, pr => Reply(ctx, 200, pr["labels"]!.DeepClone()))));
        api.MapPost(repo + "/issues/{number:int}/labels", ctx => Repo(ctx, () => SetLabels(ctx, replace: false)));
        api.MapPut(repo + "/issues/{number:int}/labels", ctx => Repo(ctx, () => SetLabels(ctx, replace: true)));
        api.MapGet(repo + "/labels", ctx => Repo(ctx, () => Reply(ctx, 200, new JsonArray([.. _labels.Values.Select(l => l.DeepClone())]))));
        api.MapPost(repo + "/labels", ctx => Repo(ctx, () => CreateLabel(ctx)));
        api.MapPost(repo + "/statuses/{sha}", ctx => Repo(ctx, () => CreateStatus(ctx)));
        api.MapGet(repo + "/commits/{ref}/status", ctx => Repo(ctx, () => CombinedStatus(ctx)));
        api.MapGet(repo + "/commits/{ref}/statuses", ctx => Repo(ctx, () =>
            Reply(ctx, 200, new JsonArray([.. Enumerable.Reverse(_statuses.GetValueOrDefault((string)ctx.GetRouteValue("ref")!) ?? []).Select(s => s.DeepClone())]))));
    }

    // ---- middleware: faults, auth, recording ----

    private async Task Record(HttpContext ctx, RequestDelegate next)
    {
        ctx.Request.EnableBuffering();
        var requestBody = await new StreamReader(ctx.Request.Body, Encoding.UTF8, leaveOpen: true).ReadToEndAsync();
        ctx.Request.Body.Position = 0;
        var original = ctx.Response.Body;
        using var buffer = new MemoryStream();
        ctx.Response.Body = buffer;
        try
        {
            (GitHubFault Fault, int Seconds, string? Match)? fault = null;
            lock (_gate)
            {
                var index = _faults.FindIndex(f => Matches(ctx.Request, f.Match));
                if (index >= 0)
                {
                    fault = _faults[index];
                    _faults.RemoveAt(index);
                }
            }

            if (fault is { Fault: GitHubFault.LoseResponse })
            {
                await next(ctx);
                buffer.SetLength(0);
                ctx.Response.Headers.Clear();
                await WriteFault(ctx, GitHubFault.BadGateway, 0);
            }
            else if (fault is { } f)
            {
                await WriteFault(ctx, f.Fault, f.Seconds);
            }
            else
            {
                await next(ctx);
            }
        }
        finally
        {
            buffer.Position = 0;
            var responseBody = Encoding.UTF8.GetString(buffer.ToArray());
            await buffer.CopyToAsync(original);
            ctx.Response.Body = original;
            lock (_gate)
            {
                _requests.Add(new RecordedRequest(ctx.Request.Method, ctx.Request.Path + ctx.Request.QueryString,
                    ctx.Request.Headers.Authorization.ToString(), requestBody, ctx.Response.StatusCode, responseBody));
            }
        }
    }

    /// <summary>"POST /repos/o/r/pulls" = that method and a path containing that text; "POST" = any call with that method.</summary>
    private static bool Matches(HttpRequest request, string? match)
    {
        if (match is null)
        {
            return true;
        }

        var space = match.IndexOf(' ', StringComparison.Ordinal);
        var method = space < 0 ? match : match[..space];
        var path = space < 0 ? "" : match[(space + 1)..];
        return request.Method == method && (request.Path.Value ?? "").Contains(path, StringComparison.Ordinal);
    }

    private static Task WriteFault(HttpContext ctx, GitHubFault fault, int seconds)
    {
        var reset = DateTimeOffset.UtcNow.AddSeconds(seconds).ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        switch (fault)
        {
            case GitHubFault.PrimaryRateLimit:
                ctx.Response.Headers["x-ratelimit-limit"] = "5000";
                ctx.Response.Headers["x-ratelimit-remaining"] = "0";
                ctx.Response.Headers["x-ratelimit-reset"] = reset;
                return Reply(ctx, 403, Message("API rate limit exceeded for installation ID 1.",
                    "https://docs.github.com/rest/overview/rate-limits-for-the-rest-api"));
            case GitHubFault.SecondaryRateLimit:
                ctx.Response.Headers["retry-after"] = seconds.ToString(CultureInfo.InvariantCulture);
                return Reply(ctx, 403, Message(
                    "You have exceeded a secondary rate limit. Please wait a few minutes before you try again.",
                    "https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits"));
            case GitHubFault.TooManyRequests:
                ctx.Response.Headers["retry-after"] = seconds.ToString(CultureInfo.InvariantCulture);
                return Reply(ctx, 429, Message("Too many requests", "https://docs.github.com/rest/overview/rate-limits-for-the-rest-api"));
            case GitHubFault.BadGateway:
                return Reply(ctx, 502, Message("Server Error", null));
            default:
                return Reply(ctx, 500, Message("Server Error", null));
        }
    }

    private Task Authed(HttpContext ctx, Func<Task> handler)
    {
        var header = ctx.Request.Headers.Authorization.ToString();
        var space = header.IndexOf(' ', StringComparison.Ordinal);
        var scheme = space > 0 ? header[..space] : "";
        var token = space > 0 ? header[(space + 1)..].Trim() : "";
        bool ok;
        lock (_gate)
        {
            ok = (scheme.Equals("token", StringComparison.OrdinalIgnoreCase) || scheme.Equals("bearer", StringComparison.OrdinalIgnoreCase))
                 && _tokens.Contains(token);
        }

        return ok ? handler() : Reply(ctx, 401, Message("Bad credentials", "https://docs.github.com/rest"));
    }

    private Task Repo(HttpContext ctx, Func<Task> handler) => Authed(ctx, () =>
    {
        if (!string.Equals((string?)ctx.GetRouteValue("owner"), Owner, StringComparison.OrdinalIgnoreCase)
            || !string.Equals((string?)ctx.GetRouteValue("repo"), Repository, StringComparison.OrdinalIgnoreCase))
        {
            return Reply(ctx, 404, NotFound());
        }

        lock (_gate)
        {
            return handler();
        }
    });

    // ---- App installation tokens ----

    private Task InstallationToken(HttpContext ctx)
    {
        var header = ctx.Request.Headers.Authorization.ToString();
        if (App is not { } app || !header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)
            || !ValidJwt(header["Bearer ".Length..].Trim(), app.AppId, app.PublicKey))
        {
            return Reply(ctx, 401, Message("A JSON web token could not be decoded", "https://docs.github.com/rest"));
        }

        if (!long.TryParse((string?)ctx.GetRouteValue("id"), out var id) || id != app.InstallationId)
        {
            return Reply(ctx, 404, NotFound());
        }

        var token = "ghs_" + Convert.ToHexString(RandomNumberGenerator.GetBytes(18)).ToLowerInvariant();
        lock (_gate)
        {
            _tokens.Add(token);
            InstallationTokensIssued++;
        }

        return Reply(ctx, 201, new JsonObject
        {
            ["token"] = token,
            ["expires_at"] = Iso(DateTimeOffset.UtcNow + InstallationTokenLifetime),
            ["permissions"] = new JsonObject { ["pull_requests"] = "write", ["statuses"] = "write", ["contents"] = "write" },
            ["repository_selection"] = "selected",
        });
    }

    private static bool ValidJwt(string jwt, long appId, RSA key)
    {
        var parts = jwt.Split('.');
        if (parts.Length != 3)
        {
            return false;
        }

        var signed = Encoding.ASCII.GetBytes(parts[0] + "." + parts[1]);
        if (!key.VerifyData(signed, FromBase64Url(parts[2]), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1))
        {
            return false;
        }

        var header = JsonNode.Parse(FromBase64Url(parts[0]))!;
        var payload = JsonNode.Parse(FromBase64Url(parts[1]))!;
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        return (string?)header["alg"] == "RS256"
               && payload["iss"]?.ToString() == appId.ToString(CultureInfo.InvariantCulture)
               && (long)payload["iat"]! <= now
               && (long)payload["exp"]! > now
               && (long)payload["exp"]! - (long)payload["iat"]! <= 600;
    }

    private static byte[] FromBase64Url(string s)
    {
        s = s.Replace('-', '+').Replace('_', '/');
        return Convert.FromBase64String(s.PadRight(s.Length + ((4 - (s.Length % 4)) % 4), '='));
    }

    // ---- pulls ----

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

    // ---- issues: comments and labels ----

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

    // ---- statuses ----

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

    // ---- helpers ----

    private JsonObject User() => new() { ["login"] = Login, ["id"] = 41898282, ["type"] = "Bot" };

    private static JsonObject RateObject() => new()
    {
        ["limit"] = 5000,
        ["remaining"] = 4999,
        ["reset"] = DateTimeOffset.UtcNow.AddHours(1).ToUnixTimeSeconds(),
        ["used"] = 1,
    };

    private static JsonObject Message(string message, string? doc) => new() { ["message"] = message, ["documentation_url"] = doc };

    private static JsonObject NotFound() => Message("Not Found", "https://docs.github.com/rest");

    private static JsonObject Validation(string resource, string code, string? field, string? message)
    {
        var error = new JsonObject { ["resource"] = resource, ["code"] = code };
        if (field is not null)
        {
            error["field"] = field;
        }

        if (message is not null)
        {
            error["message"] = message;
        }

        return new JsonObject
        {
            ["message"] = "Validation Failed",
            ["errors"] = new JsonArray(error),
            ["documentation_url"] = "https://docs.github.com/rest/pulls/pulls#create-a-pull-request",
        };
    }

    private static string Iso(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    private static async Task<JsonNode?> ReadJson(HttpContext ctx)
    {
        try
        {
            return await JsonNode.ParseAsync(ctx.Request.Body);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static async Task Reply(HttpContext ctx, int status, JsonNode? body)
    {
        ctx.Response.StatusCode = status;
        ctx.Response.ContentType = "application/json; charset=utf-8";
        ctx.Response.Headers["x-github-request-id"] = Guid.NewGuid().ToString("N");
        if (!ctx.Response.Headers.ContainsKey("x-ratelimit-remaining"))
        {
            ctx.Response.Headers["x-ratelimit-limit"] = "5000";
            ctx.Response.Headers["x-ratelimit-remaining"] = "4999";
            ctx.Response.Headers["x-ratelimit-reset"] = DateTimeOffset.UtcNow.AddHours(1).ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        }

        if (body is not null)
        {
            await ctx.Response.WriteAsync(body.ToJsonString());
        }
    }
}
