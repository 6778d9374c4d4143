using System.Text.RegularExpressions;
using Microsoft.Extensions.Configuration;
using PromotionBot.Git;

namespace PromotionBot.Hosting;

/// <summary>A settings problem found at startup; the message lists every problem, one per line, and never a secret value.</summary>
public sealed class SettingsException(IReadOnlyList<string> problems)
    : Exception("Invalid configuration:" + string.Concat(problems.Select(p => Environment.NewLine + "  - " + p)))
{
    public IReadOnlyList<string> Problems { get; } = problems;
}

/// <summary>
/// Reads and validates the bot's keys from standard .NET configuration (appsettings.json, environment with <c>__</c>,
/// command line). All problems are collected so one start shows all of them.
/// </summary>
public static partial class SettingsLoader
{
    public const string DefaultApiUrl = "https://api.github.com/";

    [GeneratedRegex("^[A-Za-z0-9._-]+$")]
    private static partial Regex GitHubName();

    /// <param name="gitHubOptional">Dry runs may omit the GitHub keys when Git:RemoteUrl names the repository: they then
    /// preview against no open PRs. Anything given is still validated.</param>
    public static BotSettings Load(IConfiguration config, bool gitHubOptional = false)
    {
        var problems = new List<string>();
        var noGitHub = gitHubOptional && Value(config, "Git:RemoteUrl") is not null
            && new[] { "GitHub:Owner", "GitHub:Repository", "GitHub:Token", "GitHub:AppId", "GitHub:PrivateKeyPath", "GitHub:InstallationId" }
                .All(k => Value(config, k) is null);

        var apiUrl = AbsoluteHttpUrl(config, "GitHub:ApiUrl", problems, required: false) ?? new Uri(DefaultApiUrl);
        if (!apiUrl.AbsolutePath.EndsWith('/'))
        {
            // Octokit resolves relative paths against the base URL: without the slash GHES's "/api/v3" would be dropped.
            apiUrl = new Uri(apiUrl + "/");
        }

        if (TransportSecurity.CleartextProblem("GitHub:ApiUrl", apiUrl) is { } cleartextApi)
        {
            problems.Add(cleartextApi);
        }

        var owner = noGitHub ? null : Name(config, "GitHub:Owner", problems);
        var repository = noGitHub ? null : Name(config, "GitHub:Repository", problems);

        var token = Value(config, "GitHub:Token");
        var appId = PositiveLong(config, "GitHub:AppId", problems);
        var keyPath = Value(config, "GitHub:PrivateKeyPath");
        var installationId = PositiveLong(config, "GitHub:InstallationId", problems);
        var anyApp = Value(config, "GitHub:AppId") is not null || keyPath is not null || Value(config, "GitHub:InstallationId") is not null;
        if (token is not null && anyApp)
        {
            problems.Add("GitHub:Token and GitHub:AppId/PrivateKeyPath/InstallationId are both set: choose token or GitHub App authentication.");
        }
        else if (token is null && !anyApp && !noGitHub)
        {
            problems.Add("GitHub authentication is missing: set GitHub:Token, or GitHub:AppId, GitHub:PrivateKeyPath and GitHub:InstallationId.");
        }
        else if (anyApp)
        {
            if (Value(config, "GitHub:AppId") is null)
            {
                problems.Add("GitHub:AppId is required for GitHub App authentication.");
            }

            if (Value(config, "GitHub:InstallationId") is null)
            {
                problems.Add("GitHub:InstallationId is required for GitHub App authentication.");
            }

            if (keyPath is null)
            {
                problems.Add("GitHub:PrivateKeyPath is required for GitHub App authentication.");
            }
            else if (!File.Exists(keyPath))
            {
                problems.Add($"GitHub:PrivateKeyPath: file not found: {keyPath}");
            }
        }

        var remoteUrl = Value(config, "Git:RemoteUrl");
        if (remoteUrl is null && owner is not null && repository is not null)
        {
            remoteUrl = DefaultRemoteUrl(apiUrl, owner, repository);
        }
        else if (remoteUrl is not null && Uri.TryCreate(remoteUrl, UriKind.Absolute, out var remote) && !remote.IsFile)
        {
            if (remote.Scheme is not ("https" or "http"))
            {
                problems.Add($"Git:RemoteUrl must be an https:// URL, a file:// URL or a local path (got scheme '{remote.Scheme}').");
            }
            else if (remote.UserInfo.Length > 0)
            {
                problems.Add("Git:RemoteUrl must not embed credentials; the token comes from GitHub:Token (or Git:Token).");
            }
            else if (TransportSecurity.CleartextProblem("Git:RemoteUrl", remote) is { } cleartextGit)
            {
                problems.Add(cleartextGit);
            }
        }
        else if (remoteUrl is not null && !Directory.Exists(remoteUrl))
        {
            problems.Add($"Git:RemoteUrl: local repository not found: {remoteUrl}");
        }

        var baseBranch = Value(config, "Git:BaseBranch") ?? "main";
        if (baseBranch.Contains("..", StringComparison.Ordinal) || baseBranch.Any(c => char.IsWhiteSpace(c) || c is '~' or '^' or ':' or '?' or '*' or '['))
        {
            problems.Add($"Git:BaseBranch is not a valid branch name: '{baseBranch}'.");
        }

        var cacheDirectory = Value(config, "Git:CacheDirectory")
            ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData, Environment.SpecialFolderOption.Create),
                "promotion-bot", $"{owner}-{repository}");

        var prometheusUrl = AbsoluteHttpUrl(config, "Prometheus:Url", problems, required: true);

        var links = new LinkSettings(
            AbsoluteHttpUrl(config, "Links:Prometheus", problems, required: false) ?? prometheusUrl,
            AbsoluteHttpUrl(config, "Links:Grafana", problems, required: false),
            AbsoluteHttpUrl(config, "Links:Kiali", problems, required: false),
            AbsoluteHttpUrl(config, "Links:ArgoCd", problems, required: false),
            Value(config, "Links:ArgoCdApplication"));

        if (problems.Count > 0)
        {
            throw new SettingsException(problems);
        }

        var github = noGitHub ? null : new GitHubSettings(apiUrl, token, appId, keyPath, installationId, owner!, repository!);
        // Git over HTTPS uses the GitHub token unless a separate Git:Token is given (App tokens are filled in at run time).
        var git = new GitOptions(remoteUrl!, baseBranch, cacheDirectory, Value(config, "Git:Token") ?? token)
        {
            AuthorName = Value(config, "Git:AuthorName") ?? "promotion-bot",
            AuthorEmail = Value(config, "Git:AuthorEmail") ?? "promotion-bot@users.noreply.github.com",
        };
        return new BotSettings(github, git, new PrometheusSettings(prometheusUrl!, Value(config, "Prometheus:BearerToken")), links);
    }

    /// <summary>github.com repos live at https://github.com/o/r.git; a GHES API at https://host/api/v3/ serves git at https://host/o/r.git.</summary>
    public static string DefaultRemoteUrl(Uri apiUrl, string owner, string repository)
    {
        var host = apiUrl.Host.Equals("api.github.com", StringComparison.OrdinalIgnoreCase)
            ? "github.com"
            : apiUrl.Authority;
        return $"{apiUrl.Scheme}://{host}/{owner}/{repository}.git";
    }

    private static string? Value(IConfiguration config, string key)
    {
        var value = config[key];
        return string.IsNullOrWhiteSpace(value) ? null : value.Trim();
    }

    private static string? Name(IConfiguration config, string key, List<string> problems)
    {
        var value = Value(config, key);
        if (value is null)
        {
            problems.Add($"{key} is required.");
        }
        else if (!GitHubName().IsMatch(value))
        {
            problems.Add($"{key} may only contain letters, digits, '.', '_' and '-': '{value}'.");
        }

        return value;
    }

    private static long? PositiveLong(IConfiguration config, string key, List<string> problems)
    {
        var value = Value(config, key);
        if (value is null)
        {
            return null;
        }

        if (long.TryParse(value, out var number) && number > 0)
        {
            return number;
        }

        problems.Add($"{key} must be a positive integer.");
        return null;
    }

    private static Uri? AbsoluteHttpUrl(IConfiguration config, string key, List<string> problems, bool required)
    {
        var value = Value(config, key);
        if (value is null)
        {
            if (required)
            {
                problems.Add($"{key} is required.");
            }

            return null;
        }

        if (Uri.TryCreate(value, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https")
        {
            if (uri.UserInfo.Length > 0)
            {
                problems.Add($"{key} must not embed credentials; use the dedicated token setting.");
                return null;
            }

            return uri;
        }

        problems.Add($"{key} must be an absolute http(s) URL: '{Redact.Url(value)}'.");
        return null;
    }
}
