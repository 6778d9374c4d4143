using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace TestServers.GitHub;

/// <summary>GitHub App installation tokens: verifies the RS256 JWT, mints short-lived tokens.</summary>
public sealed partial class GitHubTestServer
{
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
}
