using System.Globalization;
using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace TestServers.GitHub;

/// <summary>Faults, authentication and the request record, in front of every route.</summary>
public sealed partial class GitHubTestServer
{
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

            if (Crash is { Crashed: true })
            {
                // The bot is dead: nothing it "sends" afterwards may change anything.
                await WriteFault(ctx, GitHubFault.ServerError, 0);
            }
            else if (fault is { Fault: GitHubFault.LoseResponse })
            {
                await next(ctx);
                if (Crash is { } crash && !HttpMethods.IsGet(ctx.Request.Method) && ctx.Response.StatusCode is >= 200 and < 300)
                {
                    crash.Wrote(WriteName(ctx.Request));
                }

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
                if (Crash is { } crash && !HttpMethods.IsGet(ctx.Request.Method) && ctx.Response.StatusCode is >= 200 and < 300)
                {
                    crash.Wrote(WriteName(ctx.Request));
                }
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

    /// <summary>"POST pulls", "PATCH pulls/#", "POST issues/#/comments", "POST statuses/#": the repository-relative path, numbers and shas as #.</summary>
    private static string WriteName(HttpRequest request)
    {
        var path = request.Path.Value ?? "";
        var repos = path.IndexOf("/repos/", StringComparison.Ordinal);
        var parts = path[(repos < 0 ? 0 : repos + "/repos/".Length)..].Split('/', StringSplitOptions.RemoveEmptyEntries).Skip(repos < 0 ? 0 : 2)
            .Select(p => p.All(char.IsAsciiDigit) || (p.Length == 40 && p.All(char.IsAsciiHexDigit)) ? "#" : p);
        return $"{request.Method} {string.Join('/', parts)}";
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

    /// <summary>HttpContext.Items key: the login whose token authenticated the call.</summary>
    private const string CallerLogin = "github-login";

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
            ctx.Items[CallerLogin] = _tokenLogins.GetValueOrDefault(token) ?? Login;
        }

        return ok ? handler() : Reply(ctx, 401, Message("Bad credentials", "https://docs.github.com/rest"));
    }

    private Task Repo(HttpContext ctx, Func<Task> handler) => Authed(ctx, async () =>
    {
        if (!string.Equals((string?)ctx.GetRouteValue("owner"), Owner, StringComparison.OrdinalIgnoreCase)
            || !string.Equals((string?)ctx.GetRouteValue("repo"), Repository, StringComparison.OrdinalIgnoreCase))
        {
            await Reply(ctx, 404, NotFound());
            return;
        }

        // Parsed outside the lock: a handler then never waits on the network, so all its reads and writes of the
        // server's state happen under the lock, whatever else (the bot, a reviewer, the test) calls at the same time.
        ctx.Items[ParsedBody] = await ParseJsonAsync(ctx);
        Task handled;
        lock (_gate)
        {
            handled = handler();
        }

        await handled;
    });
}
