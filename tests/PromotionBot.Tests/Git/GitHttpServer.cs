using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace PromotionBot.Tests.Git;

/// <summary>
/// Real smart-HTTP git server on a free loopback port: Kestrel in front of `git http-backend` (CGI), so pushes go
/// through receive-pack and server-side hooks run, exactly as on a hosted remote. Optionally demands Basic auth
/// with the token, and can answer the next N requests with 503 to simulate a flaky server.
/// </summary>
internal sealed class GitHttpServer : IAsyncDisposable
{
    private readonly WebApplication app;
    private readonly string projectRoot;
    private readonly string? token;
    private int failNext;

    private GitHttpServer(WebApplication app, string projectRoot, string? token)
    {
        this.app = app;
        this.projectRoot = projectRoot;
        this.token = token;
    }

    public Uri BaseUrl { get; private set; } = null!;

    /// <summary>Every Authorization header the server received (to prove how credentials were sent).</summary>
    public ConcurrentQueue<string> AuthorizationHeaders { get; } = new();

    public void FailNextRequests(int count) => Volatile.Write(ref failNext, count);

    /// <summary>Crash-recovery tests: each push that lands counts as a write; after the crash every request gets 503.</summary>
    public CrashPoint? Crash { get; set; }

    public static async Task<GitHttpServer> StartAsync(string projectRoot, string? token)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(k => k.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        var server = new GitHttpServer(app, projectRoot, token);
        app.Run(server.HandleAsync);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        server.BaseUrl = new Uri(address.Replace("[::1]", "127.0.0.1", StringComparison.Ordinal));
        return server;
    }

    public string UrlOf(string repoName) => new Uri(BaseUrl, repoName).AbsoluteUri;

    public async ValueTask DisposeAsync()
    {
        await app.StopAsync();
        await app.DisposeAsync();
    }

    private async Task HandleAsync(HttpContext ctx)
    {
        if (Interlocked.Decrement(ref failNext) >= 0 || Crash is { Crashed: true })
        {
            ctx.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
            return;
        }

        var authorization = ctx.Request.Headers.Authorization.ToString();
        if (authorization.Length > 0)
        {
            AuthorizationHeaders.Enqueue(authorization);
        }

        if (token is not null
            && authorization != "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes("x-access-token:" + token)))
        {
            ctx.Response.StatusCode = StatusCodes.Status401Unauthorized;
            ctx.Response.Headers.WWWAuthenticate = "Basic realm=\"git\"";
            return;
        }

        using var body = new MemoryStream();
        await ctx.Request.Body.CopyToAsync(body);
        var psi = new ProcessStartInfo("git", "http-backend")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        psi.Environment["GIT_CONFIG_NOSYSTEM"] = "1";
        psi.Environment["GIT_CONFIG_GLOBAL"] = "/dev/null";
        psi.Environment["GIT_PROJECT_ROOT"] = projectRoot;
        psi.Environment["GIT_HTTP_EXPORT_ALL"] = "1";
        psi.Environment["PATH_INFO"] = ctx.Request.Path.Value;
        psi.Environment["QUERY_STRING"] = ctx.Request.QueryString.Value?.TrimStart('?') ?? string.Empty;
        psi.Environment["REQUEST_METHOD"] = ctx.Request.Method;
        psi.Environment["CONTENT_TYPE"] = ctx.Request.ContentType ?? string.Empty;
        psi.Environment["CONTENT_LENGTH"] = body.Length.ToString(System.Globalization.CultureInfo.InvariantCulture);
        psi.Environment["REMOTE_USER"] = "x-access-token"; // enables receive-pack over http
        psi.Environment["REMOTE_ADDR"] = "127.0.0.1";
        if (ctx.Request.Headers.ContentEncoding.Count > 0)
        {
            psi.Environment["HTTP_CONTENT_ENCODING"] = ctx.Request.Headers.ContentEncoding.ToString();
        }

        if (ctx.Request.Headers.TryGetValue("Git-Protocol", out var protocol))
        {
            psi.Environment["GIT_PROTOCOL"] = protocol.ToString();
        }

        using var cgi = Process.Start(psi)!;
        var stderr = cgi.StandardError.ReadToEndAsync();
        body.Position = 0;
        await body.CopyToAsync(cgi.StandardInput.BaseStream);
        cgi.StandardInput.Close();
        using var output = new MemoryStream();
        await cgi.StandardOutput.BaseStream.CopyToAsync(output);
        await cgi.WaitForExitAsync();
        await stderr;
        await WriteCgiResponseAsync(ctx, output.ToArray());
        if (Crash is { } crash && ctx.Request.Path.Value?.EndsWith("/git-receive-pack", StringComparison.Ordinal) == true
            && ctx.Response.StatusCode == StatusCodes.Status200OK)
        {
            foreach (var command in RefUpdates(body.ToArray()))
            {
                crash.Wrote(command);
            }
        }
    }

    /// <summary>"push promotion/x" or "delete promotion/x" per ref update in a receive-pack request (pkt-lines "old new ref\0caps").</summary>
    private static IEnumerable<string> RefUpdates(byte[] request)
    {
        var updates = new List<string>();
        var at = 0;
        while (at + 4 <= request.Length
               && int.TryParse(Encoding.ASCII.GetString(request, at, 4), System.Globalization.NumberStyles.HexNumber, null, out var length)
               && length >= 4 && at + length <= request.Length)
        {
            var line = Encoding.ASCII.GetString(request, at + 4, length - 4).Split('\0')[0].TrimEnd('\n').Split(' ');
            if (line.Length == 3)
            {
                var name = line[2].StartsWith("refs/heads/", StringComparison.Ordinal) ? line[2]["refs/heads/".Length..] : line[2];
                updates.Add((line[1].All(c => c == '0') ? "delete " : "push ") + name);
            }

            at += length;
        }

        return updates.Count == 0 ? ["push"] : updates;
    }

    private static async Task WriteCgiResponseAsync(HttpContext ctx, byte[] output)
    {
        var headerEnd = IndexOf(output, "\r\n\r\n"u8, out var separator);
        if (headerEnd < 0)
        {
            headerEnd = IndexOf(output, "\n\n"u8, out separator);
        }

        var headers = Encoding.ASCII.GetString(output, 0, Math.Max(headerEnd, 0));
        foreach (var line in headers.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            var name = line[..colon];
            var value = line[(colon + 1)..].Trim();
            if (name.Equals("Status", StringComparison.OrdinalIgnoreCase))
            {
                ctx.Response.StatusCode = int.Parse(value[..3], System.Globalization.CultureInfo.InvariantCulture);
            }
            else
            {
                ctx.Response.Headers.Append(name, value);
            }
        }

        var start = headerEnd < 0 ? 0 : headerEnd + separator;
        await ctx.Response.Body.WriteAsync(output.AsMemory(start));
    }

    private static int IndexOf(byte[] data, ReadOnlySpan<byte> pattern, out int length)
    {
        length = pattern.Length;
        return data.AsSpan().IndexOf(pattern);
    }
}
