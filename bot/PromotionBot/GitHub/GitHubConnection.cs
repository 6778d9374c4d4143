using Octokit;
using PromotionBot.Configuration;

namespace PromotionBot.GitHub;

/// <summary>
/// An Octokit client plus whatever keeps its credentials valid. With a token the credentials never change; as a
/// GitHub App, an installation token is minted on first use and re-minted when less than five minutes remain,
/// so a long cycle never fails half-way on an expired token.
/// </summary>
public sealed class GitHubConnection : IDisposable
{
    private static readonly TimeSpan RefreshMargin = TimeSpan.FromMinutes(5);

    private readonly GitHubOptions _settings;
    private readonly TimeProvider _time;
    private readonly SemaphoreSlim _refresh = new(1, 1);
    private DateTimeOffset _expiresAt;
    private string? _token;

    public GitHubConnection(GitHubOptions settings, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(settings);
        _settings = settings;
        _time = time;
        Client = new GitHubClient(new ProductHeaderValue("promotion-bot"), settings.ApiUri);
        if (!settings.UsesApp)
        {
            _token = settings.Token;
            Client.Credentials = new Credentials(settings.Token);
        }
    }

    public GitHubClient Client { get; }

    public string Owner => _settings.Owner!;

    public string Repository => _settings.Repository!;

    /// <summary>The token last used (installation token for Apps); for masking output. Never log it.</summary>
    public string? CurrentToken => _token;

    /// <summary>The current token (installation token for Apps), e.g. for HTTPS git pushes. Never log it.</summary>
    public async Task<string> TokenAsync(CancellationToken ct)
    {
        await EnsureFreshAsync(ct);
        return _token!;
    }

    public async Task EnsureFreshAsync(CancellationToken ct)
    {
        if (!_settings.UsesApp || IsFresh())
        {
            return;
        }

        // The worker may refresh from git (push credentials) and GitHub calls at once: mint one token, not two.
        await _refresh.WaitAsync(ct);
        try
        {
            if (IsFresh())
            {
                return;
            }

            var now = _time.GetUtcNow();
            var pem = await File.ReadAllTextAsync(_settings.PrivateKeyPath!, ct);
            var appClient = new GitHubClient(new ProductHeaderValue("promotion-bot"), _settings.ApiUri)
            {
                Credentials = new Credentials(GitHubAppJwt.Create(_settings.AppIdNumber, pem, now), AuthenticationType.Bearer),
            };
            var installationToken = await appClient.GitHubApps.CreateInstallationToken(_settings.InstallationIdNumber);
            _token = installationToken.Token;
            _expiresAt = installationToken.ExpiresAt;
            Client.Credentials = new Credentials(_token);
        }
        finally
        {
            _refresh.Release();
        }
    }

    public void Dispose() => _refresh.Dispose();

    private bool IsFresh() => _token is not null && _time.GetUtcNow() < _expiresAt - RefreshMargin;
}
