using Octokit;

namespace PromotionBot.Hosting;

/// <summary>
/// An Octokit client plus whatever keeps its credentials valid. With a token the credentials never change; as a
/// GitHub App, an installation token is minted on first use and re-minted when less than five minutes remain,
/// so a long cycle never fails half-way on an expired token.
/// </summary>
public sealed class GitHubConnection
{
    private static readonly TimeSpan RefreshMargin = TimeSpan.FromMinutes(5);

    private readonly GitHubSettings _settings;
    private readonly TimeProvider _time;
    private DateTimeOffset _expiresAt;
    private string? _token;

    public GitHubConnection(GitHubSettings settings, TimeProvider time)
    {
        _settings = settings;
        _time = time;
        Client = new GitHubClient(new ProductHeaderValue("promotion-bot"), settings.ApiUrl);
        if (!settings.UsesApp)
        {
            _token = settings.Token;
            Client.Credentials = new Credentials(settings.Token);
        }
    }

    public GitHubClient Client { get; }

    public string Owner => _settings.Owner;

    public string Repository => _settings.Repository;

    /// <summary>The current token (installation token for Apps), e.g. for HTTPS git pushes. Never log it.</summary>
    public async Task<string> TokenAsync(CancellationToken ct)
    {
        await EnsureFreshAsync(ct);
        return _token!;
    }

    public async Task EnsureFreshAsync(CancellationToken ct)
    {
        if (!_settings.UsesApp || (_token is not null && _time.GetUtcNow() < _expiresAt - RefreshMargin))
        {
            return;
        }

        // No lock: a cycle issues its GitHub calls one after another, so two refreshes never race.
        var now = _time.GetUtcNow();
        var pem = await File.ReadAllTextAsync(_settings.PrivateKeyPath!, ct);
        var appClient = new GitHubClient(new ProductHeaderValue("promotion-bot"), _settings.ApiUrl)
        {
            Credentials = new Credentials(GitHubAppJwt.Create(_settings.AppId!.Value, pem, now), AuthenticationType.Bearer),
        };
        var installationToken = await appClient.GitHubApps.CreateInstallationToken(_settings.InstallationId!.Value);
        _token = installationToken.Token;
        _expiresAt = installationToken.ExpiresAt;
        Client.Credentials = new Credentials(_token);
    }
}
