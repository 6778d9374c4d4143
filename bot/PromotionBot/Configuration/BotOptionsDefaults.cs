using Microsoft.Extensions.Options;

namespace PromotionBot.Configuration;

/// <summary>
/// Completes bound <see cref="BotOptions"/> before validation: blank values count as unset (appsettings.json ships empty
/// keys), and the defaults that follow from other keys are filled in (git remote and cache from the GitHub repository,
/// git token from the GitHub token).
/// </summary>
public sealed class BotOptionsDefaults : IPostConfigureOptions<BotOptions>
{
    public void PostConfigure(string? name, BotOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var gh = options.GitHub;
        gh.ApiUrl = Clean(gh.ApiUrl) ?? GitHubOptions.DefaultApiUrl;
        if (Uri.TryCreate(gh.ApiUrl, UriKind.Absolute, out var api) && !api.AbsolutePath.EndsWith('/'))
        {
            // Octokit resolves relative paths against the base URL: without the slash GHES's "/api/v3" would be dropped.
            gh.ApiUrl = api + "/";
        }

        gh.Token = Clean(gh.Token);
        gh.AppId = Clean(gh.AppId);
        gh.PrivateKeyPath = Clean(gh.PrivateKeyPath);
        gh.InstallationId = Clean(gh.InstallationId);
        gh.Owner = Clean(gh.Owner);
        gh.Repository = Clean(gh.Repository);

        var p = options.Prometheus;
        p.Url = Clean(p.Url);
        p.BearerToken = Clean(p.BearerToken);
        p.BasicAuthUser = Clean(p.BasicAuthUser);
        p.BasicAuthPassword = Clean(p.BasicAuthPassword);

        var l = options.Links;
        l.Prometheus = Clean(l.Prometheus);
        l.Grafana = Clean(l.Grafana);
        l.Kiali = Clean(l.Kiali);
        l.ArgoCd = Clean(l.ArgoCd);
        l.ArgoCdApplication = Clean(l.ArgoCdApplication);

        var git = options.Git;
        var remote = Clean(git.RemoteUrl);
        if (remote is null && options.UsesGitHub && BotOptionsValidator.IsGitHubName(gh.Owner) && BotOptionsValidator.IsGitHubName(gh.Repository)
            && api is not null && TransportSecurity.CleartextProblem("GitHub:ApiUrl", api) is null)
        {
            remote = DefaultRemoteUrl(new Uri(gh.ApiUrl), gh.Owner!, gh.Repository!);
        }

        options.Git = git with
        {
            RemoteUrl = remote ?? "",
            BaseBranch = Clean(git.BaseBranch) ?? "main",
            CacheDirectory = Clean(git.CacheDirectory)
                ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData, Environment.SpecialFolderOption.Create),
                    "promotion-bot", $"{gh.Owner}-{gh.Repository}"),
            // Git over HTTPS uses the GitHub token unless a separate Git:Token is given (App tokens are minted at run time).
            Token = Clean(git.Token) ?? gh.Token,
            AuthorName = Clean(git.AuthorName) ?? "promotion-bot",
            AuthorEmail = Clean(git.AuthorEmail) ?? "promotion-bot@users.noreply.github.com",
        };
    }

    /// <summary>github.com repos live at https://github.com/o/r.git; a GHES API at https://host/api/v3/ serves git at https://host/o/r.git.</summary>
    public static string DefaultRemoteUrl(Uri apiUrl, string owner, string repository)
    {
        ArgumentNullException.ThrowIfNull(apiUrl);
        var host = apiUrl.Host.Equals("api.github.com", StringComparison.OrdinalIgnoreCase)
            ? "github.com"
            : apiUrl.Authority;
        return $"{apiUrl.Scheme}://{host}/{owner}/{repository}.git";
    }

    private static string? Clean(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();
}
