using PromotionBot.Git;

namespace PromotionBot.Configuration;

/// <summary>
/// The bot's whole configuration: the sections GitHub, Git, Prometheus and Links of standard .NET configuration
/// (appsettings.json, environment variables such as <c>GitHub__Token</c>, <c>--GitHub:Owner=acme</c> arguments), bound by
/// <see cref="Hosting.PromotionBotServiceCollectionExtensions.AddPromotionBot"/>, completed by <see cref="BotOptionsDefaults"/>
/// and checked by <see cref="BotOptionsValidator"/> when the host starts.
/// </summary>
public sealed class BotOptions
{
    public GitHubOptions GitHub { get; set; } = new();

    public GitOptions Git { get; set; } = new();

    public PrometheusOptions Prometheus { get; set; } = new();

    public LinkOptions Links { get; set; } = new();

    public PolicyOptions Policy { get; set; } = new();

    /// <summary>
    /// Not a configuration key: <c>run --once --dry-run</c> sets it, so a preview may leave out every GitHub key when
    /// Git:RemoteUrl names the repository (it then assumes no open bot pull request). Anything given is still validated.
    /// </summary>
    public bool GitHubOptional { get; internal set; }

    /// <summary>False only for a dry run without GitHub keys.</summary>
    public bool UsesGitHub => !(GitHubOptional && !string.IsNullOrEmpty(Git.RemoteUrl) && !GitHub.AnyKeySet);

    /// <summary>Every configured secret, for masking output as a last line of defence.</summary>
    public IReadOnlyList<string?> Secrets => [GitHub.Token, Git.Token, Prometheus.BearerToken, Prometheus.BasicAuthPassword];

    /// <summary>The typed links for pull request bodies; Links:Prometheus defaults to Prometheus:Url.</summary>
    public LinkSettings LinkSettings() => new(
        Absolute(Links.Prometheus) ?? Absolute(Prometheus.Url),
        Absolute(Links.Grafana),
        Absolute(Links.Kiali),
        Absolute(Links.ArgoCd),
        Links.ArgoCdApplication);

    public override string ToString() =>
        $"BotOptions {{ {(UsesGitHub ? GitHub.ToString() : "GitHub not configured")}, Git = {Redact.Url(Git.RemoteUrl)}@{Git.BaseBranch}, Prometheus = {Redact.Url(Prometheus.Url ?? "")} }}";

    private static Uri? Absolute(string? url) => Uri.TryCreate(url, UriKind.Absolute, out var uri) ? uri : null;
}

/// <summary>Where the bot talks to GitHub and as whom (GitHub:* keys): a token, or a GitHub App (AppId, PrivateKeyPath, InstallationId).</summary>
public sealed class GitHubOptions
{
    /// <summary>The configuration section these keys live in (GitHub:Token, …).</summary>
    public const string SectionName = "GitHub";

    public const string DefaultApiUrl = "https://api.github.com/";

    /// <summary>REST API root: https://api.github.com/ or a GitHub Enterprise Server's https://host/api/v3/.</summary>
    public string? ApiUrl { get; set; } = DefaultApiUrl;

    /// <summary>Personal/fine-grained token; mutually exclusive with the App keys. Never logged.</summary>
    public string? Token { get; set; }

    /// <summary>Text, not a number, so that a malformed value is reported with the other problems instead of failing the binder.</summary>
    public string? AppId { get; set; }

    public string? PrivateKeyPath { get; set; }

    public string? InstallationId { get; set; }

    public string? Owner { get; set; }

    public string? Repository { get; set; }

    public bool UsesApp => AppId is not null;

    public Uri ApiUri => new(ApiUrl ?? DefaultApiUrl);

    public long AppIdNumber => long.Parse(AppId!, System.Globalization.CultureInfo.InvariantCulture);

    public long InstallationIdNumber => long.Parse(InstallationId!, System.Globalization.CultureInfo.InvariantCulture);

    internal bool AnyKeySet => new[] { Owner, Repository, Token, AppId, PrivateKeyPath, InstallationId }.Any(v => !string.IsNullOrEmpty(v));

    /// <summary>Secrets stay out of ToString.</summary>
    public override string ToString() =>
        $"GitHubOptions {{ ApiUrl = {ApiUrl}, Auth = {(UsesApp ? $"app {AppId}/installation {InstallationId}" : "token")}, Repo = {Owner}/{Repository} }}";
}

/// <summary>How to reach Prometheus or a compatible API (Thanos, Mimir, hosted Prometheus): Prometheus:* keys.</summary>
public sealed class PrometheusOptions
{
    public const string SectionName = "Prometheus";

    /// <summary>Base URL; a path prefix such as <c>/prometheus</c> for Mimir is kept.</summary>
    public string? Url { get; set; }

    public string? BearerToken { get; set; }

    public string? BasicAuthUser { get; set; }

    public string? BasicAuthPassword { get; set; }

    /// <summary>Per-request timeout in seconds; also sent as the query <c>timeout</c> parameter.</summary>
    public int TimeoutSeconds { get; set; } = 30;

    /// <summary>Retries on transient failures (connection errors, 408, 429, 502–504, Prometheus timeout/unavailable/internal).</summary>
    public int Retries { get; set; } = 2;

    /// <summary>Larger answers are refused while streaming (the canary holds: metrics unavailable).</summary>
    public long MaxResponseBytes { get; set; } = Metrics.PrometheusResponse.DefaultMaxBytes;

    public Uri BaseUrl => new(Url!);

    public TimeSpan Timeout => TimeSpan.FromSeconds(TimeoutSeconds);

    // Credentials stay out of logs and exception messages.
    public override string ToString() => $"PrometheusOptions {{ Url = {Redact.Url(Url ?? "")}, Auth = {(BearerToken is not null ? "bearer" : BasicAuthUser is not null ? "basic" : "none")} }}";
}

/// <summary>Base URLs for the links in pull request bodies (Links:* keys); each one is optional.</summary>
public sealed class LinkOptions
{
    public const string SectionName = "Links";

    public string? Prometheus { get; set; }

    public string? Grafana { get; set; }

    public string? Kiali { get; set; }

    public string? ArgoCd { get; set; }

    public string? ArgoCdApplication { get; set; }
}

/// <summary>The validated links as the pull request body uses them.</summary>
public sealed record LinkSettings(Uri? Prometheus, Uri? Grafana, Uri? Kiali, Uri? ArgoCd, string? ArgoCdApplication);
