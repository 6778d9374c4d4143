using System.Globalization;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;

namespace PromotionBot.Configuration;

/// <summary>
/// Checks <see cref="BotOptions"/> at start (ValidateOnStart): every problem is reported, one message each, naming the
/// key and never printing a secret value, so one start shows everything that needs fixing.
/// </summary>
public sealed partial class BotOptionsValidator : IValidateOptions<BotOptions>
{
    [GeneratedRegex("^[A-Za-z0-9._-]+$")]
    private static partial Regex GitHubName();

    public static bool IsGitHubName(string? value) => value is not null && GitHubName().IsMatch(value);

    public ValidateOptionsResult Validate(string? name, BotOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var problems = new List<string>();
        var gh = options.GitHub;
        var noGitHub = !options.UsesGitHub;

        AbsoluteHttpUrl(gh.ApiUrl, "GitHub:ApiUrl", problems, required: false);
        if (Uri.TryCreate(gh.ApiUrl, UriKind.Absolute, out var api) && TransportSecurity.CleartextProblem("GitHub:ApiUrl", api) is { } cleartextApi)
        {
            problems.Add(cleartextApi);
        }

        if (!noGitHub)
        {
            Name(gh.Owner, "GitHub:Owner", problems);
            Name(gh.Repository, "GitHub:Repository", problems);
        }

        PositiveLong(gh.AppId, "GitHub:AppId", problems);
        PositiveLong(gh.InstallationId, "GitHub:InstallationId", problems);
        // App authentication is chosen by its ids; the key path alone is not a choice: the Deployment always names where
        // an App key would be mounted, also when its Secret holds a token.
        var anyApp = gh.AppId is not null || gh.InstallationId is not null;
        if (gh.Token is not null && anyApp)
        {
            problems.Add("GitHub:Token and GitHub:AppId/InstallationId are both set: choose token or GitHub App authentication.");
        }
        else if (gh.Token is null && !anyApp && !noGitHub)
        {
            problems.Add("GitHub authentication is missing: set GitHub:Token, or GitHub:AppId, GitHub:PrivateKeyPath and GitHub:InstallationId.");
        }
        else if (anyApp)
        {
            if (gh.AppId is null)
            {
                problems.Add("GitHub:AppId is required for GitHub App authentication.");
            }

            if (gh.InstallationId is null)
            {
                problems.Add("GitHub:InstallationId is required for GitHub App authentication.");
            }

            if (gh.PrivateKeyPath is null)
            {
                problems.Add("GitHub:PrivateKeyPath is required for GitHub App authentication.");
            }
            else if (!File.Exists(gh.PrivateKeyPath))
            {
                problems.Add($"GitHub:PrivateKeyPath: file not found: {gh.PrivateKeyPath}");
            }
        }

        RemoteUrl(options.Git.RemoteUrl, problems);

        var baseBranch = options.Git.BaseBranch;
        if (baseBranch.Contains("..", StringComparison.Ordinal) || baseBranch.Any(c => char.IsWhiteSpace(c) || c is '~' or '^' or ':' or '?' or '*' or '['))
        {
            problems.Add($"Git:BaseBranch is not a valid branch name: '{baseBranch}'.");
        }

        AbsoluteHttpUrl(options.Prometheus.Url, "Prometheus:Url", problems, required: true);
        if (options.Prometheus.TimeoutSeconds <= 0)
        {
            problems.Add("Prometheus:TimeoutSeconds must be a positive number of seconds.");
        }

        if (options.Prometheus.Retries < 0)
        {
            problems.Add("Prometheus:Retries must not be negative.");
        }

        if (PromotionBot.Policy.PolicyTimeScale.Problem(options.Policy.TimeScale, "Policy:TimeScale") is { } timeScale)
        {
            problems.Add(timeScale);
        }

        AbsoluteHttpUrl(options.Links.Prometheus, "Links:Prometheus", problems, required: false);
        AbsoluteHttpUrl(options.Links.Grafana, "Links:Grafana", problems, required: false);
        AbsoluteHttpUrl(options.Links.Kiali, "Links:Kiali", problems, required: false);
        AbsoluteHttpUrl(options.Links.ArgoCd, "Links:ArgoCd", problems, required: false);

        return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
    }

    private static void RemoteUrl(string remoteUrl, List<string> problems)
    {
        if (string.IsNullOrEmpty(remoteUrl))
        {
            // Only possible when GitHub:Owner/Repository or GitHub:ApiUrl are missing or invalid, which is reported already.
            return;
        }

        if (Uri.TryCreate(remoteUrl, UriKind.Absolute, out var remote) && !remote.IsFile)
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
        else if (!Directory.Exists(remoteUrl) && !(remote?.IsFile == true && Directory.Exists(remote.LocalPath)))
        {
            problems.Add($"Git:RemoteUrl: local repository not found: {remoteUrl}");
        }
    }

    private static void Name(string? value, string key, List<string> problems)
    {
        if (value is null)
        {
            problems.Add($"{key} is required.");
        }
        else if (!IsGitHubName(value))
        {
            problems.Add($"{key} may only contain letters, digits, '.', '_' and '-': '{value}'.");
        }
    }

    private static void PositiveLong(string? value, string key, List<string> problems)
    {
        if (value is not null && !(long.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var number) && number > 0))
        {
            problems.Add($"{key} must be a positive integer.");
        }
    }

    private static void AbsoluteHttpUrl(string? value, string key, List<string> problems, bool required)
    {
        if (value is null)
        {
            if (required)
            {
                problems.Add($"{key} is required.");
            }

            return;
        }

        if (Uri.TryCreate(value, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https")
        {
            if (uri.UserInfo.Length > 0)
            {
                problems.Add($"{key} must not embed credentials; use the dedicated token setting.");
            }

            return;
        }

        problems.Add($"{key} must be an absolute http(s) URL: '{Redact.Url(value)}'.");
    }
}
