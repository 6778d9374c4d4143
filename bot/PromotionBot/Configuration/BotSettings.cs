namespace PromotionBot.Hosting;

/// <summary>Where the bot talks to GitHub and as whom (GitHub:* keys).</summary>
/// <param name="ApiUrl">REST API root: https://api.github.com/ or a GitHub Enterprise Server's https://host/api/v3/.</param>
/// <param name="Token">Personal/fine-grained token; mutually exclusive with the App keys. Never logged.</param>
/// <param name="AppId">GitHub App id (App authentication: with PrivateKeyPath and InstallationId).</param>
public sealed record GitHubSettings(
    Uri ApiUrl,
    string? Token,
    long? AppId,
    string? PrivateKeyPath,
    long? InstallationId,
    string Owner,
    string Repository)
{
    public bool UsesApp => AppId is not null;

    /// <summary>Secrets stay out of ToString (records print every member by default).</summary>
    public override string ToString() =>
        $"GitHubSettings {{ ApiUrl = {ApiUrl}, Auth = {(UsesApp ? $"app {AppId}/installation {InstallationId}" : "token")}, Repo = {Owner}/{Repository} }}";
}

/// <summary>Base URLs for the links in PR bodies (Links:* keys); each one is optional.</summary>
public sealed record LinkSettings(Uri? Prometheus, Uri? Grafana, Uri? Kiali, Uri? ArgoCd, string? ArgoCdApplication);

/// <summary>Prometheus:* keys. The token, if any, is never logged.</summary>
public sealed record PrometheusSettings(Uri Url, string? BearerToken)
{
    public override string ToString() => $"PrometheusSettings {{ Url = {Url} }}";
}

/// <summary>All validated settings of one <c>run</c>.</summary>
/// <param name="GitHub">Null only for a dry run without GitHub settings (preview assuming no open bot PRs).</param>
public sealed record BotSettings(
    GitHubSettings? GitHub,
    Git.GitOptions Git,
    PrometheusSettings Prometheus,
    LinkSettings Links)
{
    public override string ToString() => $"BotSettings {{ {GitHub?.ToString() ?? "GitHub not configured"}, Git = {Redact.Url(Git.RemoteUrl)}@{Git.BaseBranch}, Prometheus = {Prometheus.Url} }}";
}
