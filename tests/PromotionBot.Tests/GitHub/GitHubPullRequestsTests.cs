using System.Security.Cryptography;
using Octokit;
using Microsoft.Extensions.Time.Testing;
using PromotionBot.Configuration;
using PromotionBot.GitHub;
using PromotionBot.PullRequests;
using Xunit;

namespace PromotionBot.Tests.GitHub;

/// <summary>The Octokit layer against the local GitHub API server over real HTTP.</summary>
public sealed class GitHubPullRequestsTests : IAsyncLifetime
{
    private const string Token = "ghp_testtoken_0123456789abcdef";
    /// <summary>Retries wait on this clock: the production delays (seconds, a minute for secondary limits) pass without real waiting.</summary>
    private readonly FakeTimeProvider _clock = new(DateTimeOffset.UtcNow);

    private GitHubTestServer _server = null!;
    private readonly ListLogger _log = new();

    public async Task InitializeAsync()
    {
        _server = await GitHubTestServer.StartAsync("acme", "gitops");
        _server.AcceptToken(Token);
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    private GitHubPullRequests Client(RetryOptions? retry = null, GitHubOptions? settings = null)
    {
        settings ??= Settings(_server.ApiUrl, Token);
        var connection = new GitHubConnection(settings, _clock);
        return new GitHubPullRequests(new GitHubRetry(connection, retry ?? RetryOptions.Default, _clock, _log), "main");
    }

    private static GitHubOptions Settings(Uri apiUrl, string? token) =>
        new() { ApiUrl = apiUrl.ToString(), Token = token, Owner = "acme", Repository = "gitops" };

    /// <summary>Runs a call that may wait for a retry, moving the fake clock a second at a time.</summary>
    private Task<T> Drive<T>(Func<Task<T>> call) => _clock.DriveAsync(call, TimeSpan.FromSeconds(1));

    private static string Body(string canary = "product-catalog", string weights = "v1:50,v2:50", string kind = "advance") =>
        $"<!-- promotion-bot: canary=ecommerce/{canary} decision={kind} weights={weights} base=abc123 -->\nhello";

    [Fact]
    public async Task Creates_lists_and_recognises_only_marked_prs_on_promotion_branches()
    {
        var gh = Client();
        var (created, isNew) = await gh.CreateAsync("promotion/ecommerce/product-catalog", "product-catalog: shift v2 20% → 50%", Body(), default);
        _server.CreatePullRequestDirectly("promotion/ecommerce/order-management", "main", "a human's PR", "no marker here");
        _server.CreatePullRequestDirectly("feature/x", "main", "unrelated", Body("x"));

        var (bot, unrecognised) = await gh.ListOpenAsync(default);

        Assert.True(isNew);
        var pr = Assert.Single(bot);
        Assert.Equal(created.Number, pr.Number);
        Assert.Equal("ecommerce/product-catalog", pr.Marker.Key);
        Assert.Equal(50, pr.Marker.WeightMap["v2"]);
        Assert.Equal("product-catalog: shift v2 20% → 50%", pr.Title);
        Assert.Equal("promotion/ecommerce/order-management", Assert.Single(unrecognised).Head.Ref);
    }

    [Fact]
    public async Task Duplicate_create_gets_422_and_adopts_the_existing_pr()
    {
        var gh = Client();
        var (first, _) = await gh.CreateAsync("promotion/ecommerce/product-catalog", "t1", Body(), default);

        var (second, created) = await gh.CreateAsync("promotion/ecommerce/product-catalog", "t2", Body(weights: "v1:0,v2:100"), default);

        Assert.False(created);
        Assert.Equal(first.Number, second.Number);
        Assert.Contains(_server.Requests, r => r.Method == "POST" && r.Status == 422 && r.ResponseBody.Contains("A pull request already exists", StringComparison.Ordinal));
        Assert.Single(_server.PullRequests);
    }

    [Fact]
    public async Task Close_comments_first_then_closes()
    {
        var gh = Client();
        var (pr, _) = await gh.CreateAsync("promotion/ecommerce/product-catalog", "t", Body(), default);

        var marker = GitHubPullRequests.ClosingMarker(CloseReason.Superseded, pr.HeadSha);

        await gh.CloseAsync(pr.Number, "superseded by a rollback", marker, default);

        var comment = Assert.Single(_server.CommentsOn(pr.Number));
        Assert.StartsWith("superseded by a rollback", comment, StringComparison.Ordinal);
        Assert.EndsWith(marker, comment, StringComparison.Ordinal);
        Assert.StartsWith(GitHubPullRequests.ClosedByBotMarker, marker, StringComparison.Ordinal);
        Assert.Equal("closed", (string)_server.PullRequests.Single()["state"]!);
        Assert.Empty((await gh.ListOpenAsync(default)).Bot);
        Assert.Equal(["POST /pulls", "POST /comments", "PATCH /1"],
            _server.Requests.Where(r => r.IsWrite).Select(r => $"{r.Method} {r.Path[r.Path.LastIndexOf('/')..]}"));
    }

    [Fact]
    public async Task Close_retried_after_a_crash_between_comment_and_close_does_not_comment_again()
    {
        var gh = Client();
        var (pr, _) = await gh.CreateAsync("promotion/ecommerce/product-catalog", "t", Body(), default);
        var marker = GitHubPullRequests.ClosingMarker(CloseReason.Applied, pr.HeadSha);
        // The "crash": the comment is posted, the close fails past every retry.
        _server.FailNext(GitHubFault.ServerError, count: RetryOptions.Default.MaxAttempts, match: "PATCH");
        await Assert.ThrowsAsync<GitHubUnavailableException>(() => Drive(() => gh.CloseAsync(pr.Number, "already applied", marker, default)));
        Assert.Single(_server.CommentsOn(pr.Number));
        Assert.Equal("open", (string)_server.PullRequests.Single()["state"]!);

        var commented = await gh.CloseAsync(pr.Number, "already applied (new numbers)", marker, default);

        Assert.False(commented);
        Assert.Equal("already applied\n\n" + marker, Assert.Single(_server.CommentsOn(pr.Number)));
        Assert.Equal("closed", (string)_server.PullRequests.Single()["state"]!);
    }

    [Fact]
    public async Task A_lost_comment_response_is_not_answered_with_a_second_comment()
    {
        var gh = Client();
        var (pr, _) = await gh.CreateAsync("promotion/ecommerce/product-catalog", "t", Body(), default);
        _server.FailNext(GitHubFault.LoseResponse, match: "POST /repos/acme/gitops/issues");

        var commented = await Drive(() => gh.CloseAsync(pr.Number, "applied", GitHubPullRequests.ClosingMarker(CloseReason.Applied, pr.HeadSha), default));

        Assert.Contains(_server.Requests, r => r.Method == "POST" && r.Status == 502);
        Assert.False(commented); // the retry found the comment the lost response had posted
        Assert.Single(_server.CommentsOn(pr.Number));
        Assert.Equal("closed", (string)_server.PullRequests.Single()["state"]!);
    }

    [Fact]
    public async Task A_close_for_another_reason_explains_itself_again()
    {
        var gh = Client();
        var (pr, _) = await gh.CreateAsync("promotion/ecommerce/product-catalog", "t", Body(), default);
        await gh.CloseAsync(pr.Number, "duplicate", GitHubPullRequests.ClosingMarker(CloseReason.Duplicate, pr.HeadSha), default);
        _server.ReopenPullRequestDirectly(pr.Number);

        Assert.True(await gh.CloseAsync(pr.Number, "applied", GitHubPullRequests.ClosingMarker(CloseReason.Applied, pr.HeadSha), default));

        Assert.Equal(2, _server.CommentsOn(pr.Number).Count);
    }

    [Fact]
    public async Task Declined_means_closed_unmerged_by_a_person_not_by_the_bot()
    {
        var gh = Client();
        var (byBot, _) = await gh.CreateAsync("promotion/ecommerce/product-catalog", "t", Body(), default);
        await gh.CloseAsync(byBot.Number, "superseded", GitHubPullRequests.ClosingMarker(CloseReason.Superseded, byBot.HeadSha), default);
        Assert.Null(await gh.FindDeclinedAsync("promotion/ecommerce/product-catalog", default));

        var (byPerson, _) = await gh.CreateAsync("promotion/ecommerce/product-catalog", "t", Body(), default);
        _server.ClosePullRequestDirectly(byPerson.Number);

        Assert.Equal(byPerson.Number, (await gh.FindDeclinedAsync("promotion/ecommerce/product-catalog", default))?.Number);
        Assert.Null(await gh.FindDeclinedAsync("promotion/ecommerce/order-management", default));
    }

    [Fact]
    public async Task Labels_are_added_once()
    {
        var gh = Client();
        var (pr, _) = await gh.CreateAsync("promotion/ecommerce/product-catalog", "t", Body(), default);
        await gh.EnsureLabelsAsync(pr, ["promotion", "canary:product-catalog"], default);
        var listed = (await gh.ListOpenAsync(default)).Bot.Single();
        _server.ClearRequests();

        await gh.EnsureLabelsAsync(listed, ["promotion", "canary:product-catalog"], default);

        Assert.Equal(["promotion", "canary:product-catalog"], listed.Labels);
        Assert.DoesNotContain(_server.Requests, r => r.IsWrite);
    }

    [Fact]
    public async Task Status_is_written_only_when_it_changes()
    {
        var gh = Client();
        var sha = new string('a', 40);

        var first = await gh.SetStatusAsync(sha, EvidenceState.Success, "v2 healthy", null, default);
        var again = await gh.SetStatusAsync(sha, EvidenceState.Success, "v2 healthy", null, default);
        var changed = await gh.SetStatusAsync(sha, EvidenceState.Failure, "v2 error rate 5% > 1%", null, default);

        Assert.True(first);
        Assert.False(again);
        Assert.True(changed);
        var status = _server.Status(sha, GitHubPullRequests.StatusContext)!;
        Assert.Equal("failure", (string)status["state"]!);
        Assert.Equal("v2 error rate 5% > 1%", (string)status["description"]!);
    }

    [Fact]
    public async Task Long_status_descriptions_are_cut_to_githubs_limit()
    {
        var gh = Client();
        var sha = new string('b', 40);

        await gh.SetStatusAsync(sha, EvidenceState.Pending, new string('x', 300), null, default);

        Assert.Equal(140, ((string)_server.Status(sha, GitHubPullRequests.StatusContext)!["description"]!).Length);
    }

    [Theory]
    [InlineData(GitHubFault.PrimaryRateLimit)]
    [InlineData(GitHubFault.SecondaryRateLimit)]
    [InlineData(GitHubFault.TooManyRequests)]
    [InlineData(GitHubFault.ServerError)]
    [InlineData(GitHubFault.BadGateway)]
    public async Task Rate_limits_and_server_errors_are_waited_out_and_the_call_succeeds(GitHubFault fault)
    {
        var gh = Client();
        _server.FailNext(fault, count: 2, seconds: 1);

        var (pr, created) = await Drive(() => gh.CreateAsync("promotion/ecommerce/product-catalog", "t", Body(), default));

        Assert.True(created);
        Assert.Equal(2, _server.Requests.Count(r => r.Status is 403 or 429 or >= 500));
        Assert.Single(_server.PullRequests);
        Assert.Equal(2, _log.Lines.Count(l => l.Contains("retrying", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task Primary_rate_limit_waits_until_reset()
    {
        var gh = Client();
        _server.FailNext(GitHubFault.PrimaryRateLimit, count: 1, seconds: 2);
        var reset = DateTimeOffset.UtcNow.AddSeconds(2);

        await Drive(() => gh.ListOpenAsync(default));

        // The retry may not happen before the announced reset (second granularity, hence the 1 s slack), by the bot's clock.
        var retried = _server.Requests.Count(r => r.Status == 200);
        Assert.Equal(1, retried);
        Assert.True(_clock.GetUtcNow() >= reset.AddSeconds(-1));
        Assert.Contains(_log.Lines, l => l.Contains("rate limit exceeded", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Rate_limit_resetting_beyond_the_cap_fails_clearly_without_waiting()
    {
        var gh = Client(RetryOptions.Default with { MaxWait = TimeSpan.FromSeconds(5) });
        _server.FailNext(GitHubFault.PrimaryRateLimit, count: 1, seconds: 3600);

        var ex = await Assert.ThrowsAsync<GitHubUnavailableException>(() => Drive(() => gh.ListOpenAsync(default)));

        Assert.Contains("cap", ex.Message, StringComparison.Ordinal);
        Assert.Single(_server.Requests);
    }

    [Fact]
    public async Task Persistent_server_errors_give_up_after_the_attempt_budget()
    {
        var gh = Client(RetryOptions.Default with { MaxAttempts = 3 });
        _server.FailNext(GitHubFault.ServerError, count: 10);

        var ex = await Assert.ThrowsAsync<GitHubUnavailableException>(() => Drive(() => gh.ListOpenAsync(default)));

        Assert.Contains("3 attempts", ex.Message, StringComparison.Ordinal);
        Assert.Equal(3, _server.Requests.Count);
    }

    [Fact]
    public async Task Bad_credentials_are_not_retried_and_never_echo_the_token()
    {
        const string wrong = "ghp_wrong_token_value_987654321";
        var gh = Client(settings: Settings(_server.ApiUrl, wrong));

        var ex = await Assert.ThrowsAsync<AuthorizationException>(() => gh.ListOpenAsync(default));

        Assert.Single(_server.Requests);
        Assert.DoesNotContain(wrong, ex.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain(_log.Lines, l => l.Contains(wrong, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Token_is_sent_as_authorization_but_never_appears_in_responses_or_logs()
    {
        var gh = Client();
        _server.FailNext(GitHubFault.ServerError);
        var (pr, _) = await Drive(() => gh.CreateAsync("promotion/ecommerce/product-catalog", "t", Body(), default));
        await gh.CloseAsync(pr.Number, "bye", GitHubPullRequests.ClosingMarker(CloseReason.Applied, pr.HeadSha), default);

        Assert.All(_server.Requests, r => Assert.EndsWith(Token, r.Authorization, StringComparison.Ordinal));
        Assert.All(_server.Requests, r => Assert.DoesNotContain(Token, r.ResponseBody, StringComparison.Ordinal));
        Assert.DoesNotContain(_log.Lines, l => l.Contains(Token, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Github_enterprise_api_url_with_path_prefix_works()
    {
        // A GHES API URL as configured by users (https://host/api/v3/) must not become /api/v3/api/v3/.
        var gh = Client(settings: Settings(new Uri(_server.ApiUrl, "api/v3/"), Token));

        await gh.CreateAsync("promotion/ecommerce/product-catalog", "t", Body(), default);

        Assert.All(_server.Requests, r => Assert.StartsWith("/api/v3/repos/acme/gitops/", r.Path, StringComparison.Ordinal));
        Assert.Single(_server.PullRequests);
    }

    [Fact]
    public async Task Github_app_mints_an_installation_token_and_refreshes_it_before_expiry()
    {
        using var key = RSA.Create(2048);
        var keyPath = Path.Combine(Path.GetTempPath(), $"app-key-{Guid.NewGuid():N}.pem");
        await File.WriteAllTextAsync(keyPath, key.ExportPkcs8PrivateKeyPem());
        try
        {
            var publicKey = RSA.Create();
            publicKey.ImportSubjectPublicKeyInfo(key.ExportSubjectPublicKeyInfo(), out _);
            _server.App = (4242, 77, publicKey);
            // A token living 5.5 minutes enters the 5-minute refresh margin 30 s after it is minted. The bot's clock
            // starts a minute behind and is then moved 45 s ahead of real time (the JWT's iat must stay in the past).
            _server.InstallationTokenLifetime = TimeSpan.FromSeconds(330);
            var clock = new FakeTimeProvider(DateTimeOffset.UtcNow.AddMinutes(-1));
            var app = new GitHubOptions { ApiUrl = _server.ApiUrl.ToString(), AppId = "4242", PrivateKeyPath = keyPath, InstallationId = "77", Owner = "acme", Repository = "gitops" };
            using var connection = new GitHubConnection(app, clock);
            var gh = new GitHubPullRequests(new GitHubRetry(connection, RetryOptions.Default, clock, _log), "main");

            await gh.ListOpenAsync(default);
            await gh.ListOpenAsync(default);
            Assert.Equal(1, _server.InstallationTokensIssued);

            clock.SetUtcNow(DateTimeOffset.UtcNow.AddSeconds(45));
            await gh.ListOpenAsync(default);

            Assert.Equal(2, _server.InstallationTokensIssued);
            Assert.All(_server.Requests.Where(r => r.Path.Contains("/pulls", StringComparison.Ordinal)),
                r => Assert.StartsWith("token ghs_", r.Authorization, StringComparison.OrdinalIgnoreCase));
            Assert.Contains(_server.Requests, r => r.Path.EndsWith("/app/installations/77/access_tokens", StringComparison.Ordinal) && r.Authorization!.StartsWith("Bearer ey", StringComparison.Ordinal));
        }
        finally
        {
            File.Delete(keyPath);
        }
    }
}
