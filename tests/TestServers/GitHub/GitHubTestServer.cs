using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace TestServers.GitHub;

/// <summary>
/// A small, stateful stand-in for the GitHub REST API on loopback, speaking the documented JSON shapes and status codes
/// closely enough for Octokit: pulls, issue comments and labels, commit statuses, App installation tokens, rate_limit.
/// PR heads are read from a bare git repository on disk, so a push by the bot is what moves a PR's head.
/// </summary>
public sealed partial class GitHubTestServer : IAsyncDisposable
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
    private readonly Dictionary<string, string> _tokenLogins = new(StringComparer.Ordinal);
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

    /// <param name="login">Whose token it is (a reviewer who merges, say); null = <see cref="Login"/>, the bot.</param>
    public void AcceptToken(string token, string? login = null)
    {
        lock (_gate)
        {
            _tokens.Add(token);
            if (login is not null)
            {
                _tokenLogins[token] = login;
            }
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

    /// <summary>Crash-recovery tests: counts writes and refuses every request once the bot has "crashed".</summary>
    public CrashPoint? Crash { get; set; }

    /// <summary>What a person does in the web UI: close a PR without merging.</summary>
    public void ClosePullRequestDirectly(int number)
    {
        lock (_gate)
        {
            var pr = Refresh(_pulls.Single(p => (int)p["number"]! == number));
            pr["state"] = "closed";
            pr["closed_at"] = Iso(DateTimeOffset.UtcNow);
        }
    }

    /// <summary>What a person does in the web UI: reopen a closed, unmerged PR.</summary>
    public void ReopenPullRequestDirectly(int number)
    {
        lock (_gate)
        {
            var pr = _pulls.Single(p => (int)p["number"]! == number);
            pr["state"] = "open";
            pr["closed_at"] = null;
        }
    }

    /// <summary>
    /// What a person does outside the API: merge a PR into its base. <paramref name="squash"/> puts one new commit with
    /// the merged tree on the base (the head stays outside it); otherwise the base fast-forwards to a head that sits on
    /// it, or gets a merge commit when it moved on. The PR is then closed and merged; the branch stays, as without
    /// auto-delete.
    /// </summary>
    /// <exception cref="InvalidOperationException">The PR is not open, or its head conflicts with the base.</exception>
    public string MergePullRequestDirectly(int number, bool squash)
    {
        lock (_gate)
        {
            var pr = _pulls.Single(p => (int)p["number"]! == number);
            var outcome = MergePull(pr, squash ? MergeMethod.Squash : MergeMethod.FastForward, null, null, null, "A Human");
            return outcome.Sha ?? throw new InvalidOperationException($"PR #{number}: {outcome.Status} {outcome.Message}");
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
        api.MapGet(repo + "/pulls/{number:int}", ctx => Repo(ctx, () => WithPull(ctx, pr =>
        {
            SetMergeable(Refresh(pr));
            return Reply(ctx, 200, pr.DeepClone());
        })));
        api.MapMethods(repo + "/pulls/{number:int}", ["PATCH"], ctx => Repo(ctx, () => UpdatePull(ctx)));
        api.MapPut(repo + "/pulls/{number:int}/merge", ctx => Repo(ctx, () => MergePullApi(ctx)));
        api.MapGet(repo + "/pulls/{number:int}/merge", ctx => Repo(ctx, () => WithPull(ctx, pr =>
            (bool?)pr["merged"] == true ? Reply(ctx, 204, null) : Reply(ctx, 404, NotFound()))));
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

    private JsonObject User() => new() { ["login"] = Login, ["id"] = 41898282, ["type"] = "Bot" };

    /// <summary>A person's user object; the id is derived from the login so it is the same in every run.</summary>
    private static JsonObject Person(string login) => new() { ["login"] = login, ["id"] = 1000 + login.Sum(c => (int)c), ["type"] = "User" };

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

    /// <summary>HttpContext.Items key: the request body, parsed before the handler runs (null when absent or not JSON).</summary>
    private const string ParsedBody = "github-body";

    /// <summary>The body <see cref="Repo"/> parsed up front, so a handler's awaits complete at once and it runs wholly under the lock.</summary>
    private static Task<JsonNode?> ReadJson(HttpContext ctx) =>
        ctx.Items.TryGetValue(ParsedBody, out var parsed) ? Task.FromResult((JsonNode?)parsed) : ParseJsonAsync(ctx);

    private static async Task<JsonNode?> ParseJsonAsync(HttpContext ctx)
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
