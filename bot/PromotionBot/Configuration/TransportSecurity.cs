using System.Net;

namespace PromotionBot.Configuration;

/// <summary>
/// Where credentials may travel: the GitHub API and git remotes only over HTTPS (plain HTTP only to a loopback host,
/// for local test servers), and secrets never on the command line, where every user of the machine can read them.
/// </summary>
public static class TransportSecurity
{
    /// <summary>Configuration keys that hold secrets.</summary>
    public static readonly IReadOnlyList<string> SecretKeys = ["GitHub:Token", "Git:Token", "Prometheus:BearerToken"];

    public static bool IsLoopback(Uri uri) =>
        uri.IsLoopback
        || uri.Host.Equals("localhost", StringComparison.OrdinalIgnoreCase)
        || (IPAddress.TryParse(uri.Host.Trim('[', ']'), out var ip) && IPAddress.IsLoopback(ip));

    /// <summary>A configuration problem when <paramref name="uri"/> would carry a token in clear text; null when it is fine.</summary>
    public static string? CleartextProblem(string key, Uri uri) =>
        uri.Scheme == Uri.UriSchemeHttp && !IsLoopback(uri)
            ? $"{key} uses http:// to {uri.Host}: the token would travel in clear text. Use https:// (plain http is accepted only for a loopback host)."
            : null;

    /// <summary>The secret keys given as command-line arguments (--Key=value, --Key value, /Key=value, Key=value).</summary>
    public static IReadOnlyList<string> SecretsOnCommandLine(IEnumerable<string> args) =>
        args.Select(a => a.TrimStart('-', '/'))
            .Select(a => a.Split('=', 2)[0].Replace("__", ":", StringComparison.Ordinal))
            .SelectMany(a => SecretKeys.Where(k => k.Equals(a, StringComparison.OrdinalIgnoreCase)))
            .Distinct()
            .ToList();

    /// <summary>The warning for a secret on the command line: names the key, never the value.</summary>
    public static string CommandLineWarning(string key) =>
        $"warning: {key} was given on the command line, where other users of this machine can read it (process list, shell history). " +
        $"Set it through the environment ({key.Replace(":", "__", StringComparison.Ordinal)}) or a mounted Kubernetes Secret instead.";
}
