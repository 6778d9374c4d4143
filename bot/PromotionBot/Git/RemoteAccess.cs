using System.Net;
using LibGit2Sharp;
using LibGit2Sharp.Handlers;

namespace PromotionBot.Git;

/// <summary>
/// How the bot talks to the remote: the validated URL, the token (only ever handed to libgit2 through the credentials
/// callback, so it never lands in .git/config or a URL) and redaction of anything that may be logged or thrown.
/// </summary>
internal sealed class RemoteAccess
{
    /// <summary>GitHub accepts any user name with an installation/app token; this one is the documented convention.</summary>
    public const string TokenUserName = "x-access-token";

    // libgit2 asks again when the server refuses a credential; a few calls cover multi-request operations,
    // more mean the token is wrong and repeating it would only burn rate limit.
    private const int MaxCredentialRequests = 4;

    private readonly string? token;

    public RemoteAccess(GitOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        token = string.IsNullOrEmpty(options.Token) ? null : options.Token;
        (Url, IsNetwork) = Normalize(options.RemoteUrl, token is not null);
    }

    /// <summary>The URL as stored in the clone's origin (absolute path for local remotes).</summary>
    public string Url { get; }

    public bool IsNetwork { get; }

    public string Redact(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return text ?? string.Empty;
        }

        return token is null ? text : text.Replace(token, "***", StringComparison.Ordinal);
    }

    public bool Leaks(Exception e) => token is not null && e.ToString().Contains(token, StringComparison.Ordinal);

    public FetchOptions FetchOptions(CancellationToken ct) => new()
    {
        Prune = true,
        TagFetchMode = TagFetchMode.None,
        CredentialsProvider = Credentials(),
        OnTransferProgress = _ => !ct.IsCancellationRequested,
    };

    public PushOptions PushOptions(ICollection<PushStatusError> rejections, PrePushHandler beforePush, CancellationToken ct) => new()
    {
        CredentialsProvider = Credentials(),
        OnPushStatusError = rejections.Add,
        OnNegotiationCompletedBeforePush = beforePush,
        OnPushTransferProgress = (_, _, _) => !ct.IsCancellationRequested,
    };

    private CredentialsHandler Credentials()
    {
        var requests = 0;
        return (_, _, _) =>
        {
            if (token is null)
            {
                throw new GitWorkspaceException("The remote requires authentication but no Git:Token is configured.");
            }

            if (++requests > MaxCredentialRequests)
            {
                throw new GitWorkspaceException("The remote rejected the configured token (authentication failed).");
            }

            return new UsernamePasswordCredentials { Username = TokenUserName, Password = token };
        };
    }

    private static (string Url, bool IsNetwork) Normalize(string remoteUrl, bool hasToken)
    {
        if (string.IsNullOrWhiteSpace(remoteUrl))
        {
            throw new ArgumentException("Git:RemoteUrl is empty.", nameof(remoteUrl));
        }

        if (Uri.TryCreate(remoteUrl, UriKind.Absolute, out var uri) && !uri.IsFile && uri.Scheme.Length > 1)
        {
            if (uri.Scheme is not ("https" or "http"))
            {
                throw new ArgumentException(
                    $"Git:RemoteUrl scheme '{uri.Scheme}' is not supported; use https://, file:// or a local path.", nameof(remoteUrl));
            }

            if (!string.IsNullOrEmpty(uri.UserInfo))
            {
                // Not echoing the URL: the user-info part is exactly what must not be printed.
                throw new ArgumentException(
                    "Git:RemoteUrl must not embed credentials; put the token in Git:Token instead.", nameof(remoteUrl));
            }

            if (hasToken && uri.Scheme == "http" && !IsLoopback(uri))
            {
                throw new ArgumentException(
                    $"Refusing to send the token over plain http to {uri.Host}; use https.", nameof(remoteUrl));
            }

            return (remoteUrl, true);
        }

        if (remoteUrl.StartsWith("file://", StringComparison.OrdinalIgnoreCase))
        {
            return (remoteUrl, false);
        }

        return (Path.GetFullPath(remoteUrl), false);
    }

    private static bool IsLoopback(Uri uri) =>
        uri.IsLoopback || (IPAddress.TryParse(uri.Host, out var ip) && IPAddress.IsLoopback(ip));
}
