using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using PromotionBot.Configuration;
using PromotionBot.Hosting;
using Xunit;

namespace PromotionBot.Tests.Cli;

/// <summary>Configuration keys and command-line handling of <c>run</c>, without any server.</summary>
public sealed class RunCommandTests
{
    private const string Secret = "ghp_SettingsSecretValue_abcdef012345";

    /// <summary>Options as the host resolves them: bound, completed with defaults, validated (as ValidateOnStart does).</summary>
    private static BotOptions Load(params (string Key, string? Value)[] values)
    {
        var config = new ConfigurationBuilder().AddInMemoryCollection(values.Select(v => new KeyValuePair<string, string?>(v.Key, v.Value))).Build();
        using var services = new ServiceCollection().AddPromotionBot(config).BuildServiceProvider();
        services.GetRequiredService<IStartupValidator>().Validate();
        return services.GetRequiredService<IOptions<BotOptions>>().Value;
    }

    private static readonly (string, string?)[] Minimal =
    [
        ("GitHub:Owner", "acme"), ("GitHub:Repository", "gitops"), ("GitHub:Token", Secret), ("Prometheus:Url", "http://prometheus:9090"),
    ];

    private static Task<(int Exit, string Out, string Err)> Run(params string[] args) => CliRun.InvokeAsync(args);

    [Fact]
    public void Defaults_follow_the_github_repository()
    {
        var settings = Load(Minimal);

        Assert.Equal(new Uri("https://api.github.com/"), settings.GitHub.ApiUri);
        Assert.Equal("https://github.com/acme/gitops.git", settings.Git.RemoteUrl);
        Assert.Equal("main", settings.Git.BaseBranch);
        Assert.Equal(Secret, settings.Git.Token);
        Assert.Equal(new Uri("http://prometheus:9090"), settings.LinkSettings().Prometheus);
        Assert.False(settings.GitHub.UsesApp);
    }

    [Fact]
    public void Github_enterprise_api_url_gives_the_enterprise_git_url()
    {
        var settings = Load([.. Minimal, ("GitHub:ApiUrl", "https://ghe.example.com/api/v3")]);

        Assert.Equal(new Uri("https://ghe.example.com/api/v3/"), settings.GitHub.ApiUri);
        Assert.Equal("https://ghe.example.com/acme/gitops.git", settings.Git.RemoteUrl);
    }

    [Fact]
    public void Every_problem_is_reported_at_once_without_secret_values()
    {
        var ex = Assert.Throws<OptionsValidationException>(() => Load(
            ("GitHub:Token", Secret), ("GitHub:AppId", "12"), ("GitHub:Repository", "bad name!"),
            ("Prometheus:Url", "not a url"), ("Git:RemoteUrl", "ssh://git@example.com/x.git")));

        Assert.Contains(ex.Failures, p => p == "GitHub:Owner is required.");
        Assert.Contains(ex.Failures, p => p.StartsWith("GitHub:Repository may only contain", StringComparison.Ordinal));
        Assert.Contains(ex.Failures, p => p.StartsWith("GitHub:Token and GitHub:AppId", StringComparison.Ordinal));
        Assert.Contains(ex.Failures, p => p.StartsWith("Prometheus:Url must be an absolute http(s) URL", StringComparison.Ordinal));
        Assert.Contains(ex.Failures, p => p.StartsWith("Git:RemoteUrl must be an https:// URL", StringComparison.Ordinal));
        Assert.Equal(5, ex.Failures.Count());
        Assert.DoesNotContain(Secret, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void App_authentication_needs_all_three_keys_and_an_existing_key_file()
    {
        var ex = Assert.Throws<OptionsValidationException>(() => Load(
            ("GitHub:Owner", "acme"), ("GitHub:Repository", "gitops"), ("Prometheus:Url", "http://p:9090"),
            ("GitHub:AppId", "abc"), ("GitHub:PrivateKeyPath", "/nonexistent/key.pem")));

        Assert.Contains("GitHub:AppId must be a positive integer.", ex.Failures);
        Assert.Contains("GitHub:InstallationId is required for GitHub App authentication.", ex.Failures);
        Assert.Contains("GitHub:PrivateKeyPath: file not found: /nonexistent/key.pem", ex.Failures);
    }

    [Fact]
    public void A_token_with_the_deployments_key_path_is_token_authentication()
    {
        // bot/deploy always sets GitHub__PrivateKeyPath; a token-only Secret must still start the bot.
        var settings = Load([.. Minimal, ("GitHub:PrivateKeyPath", "/var/run/secrets/promotion-bot/github/private-key.pem")]);

        Assert.False(settings.GitHub.UsesApp);
    }

    [Fact]
    public void Missing_authentication_is_named()
    {
        var ex = Assert.Throws<OptionsValidationException>(() => Load(("GitHub:Owner", "acme"), ("GitHub:Repository", "gitops"), ("Prometheus:Url", "http://p:9090")));

        Assert.StartsWith("GitHub authentication is missing", Assert.Single(ex.Failures), StringComparison.Ordinal);
    }

    [Fact]
    public void Settings_never_print_their_secrets()
    {
        var settings = Load([.. Minimal, ("Prometheus:BearerToken", "prom-secret-token")]);

        Assert.DoesNotContain(Secret, settings.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain(Secret, settings.GitHub.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("prom-secret-token", settings.Prometheus.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_without_once_starts_the_service_only_with_a_valid_configuration()
    {
        var (exit, _, err) = await Run("run", "--urls=http://127.0.0.1:0");

        Assert.Equal(2, exit);
        Assert.StartsWith("Invalid configuration:", err, StringComparison.Ordinal);
        Assert.Contains("  - Prometheus:Url is required.", err, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Invalid_configuration_stops_startup_with_one_line_per_problem_and_no_secret()
    {
        var (exit, output, err) = await Run("run", "--once", $"--GitHub:Token={Secret}", "--Prometheus:Url=ftp://x");

        Assert.Equal(2, exit);
        Assert.Contains("  - GitHub:Owner is required.", err, StringComparison.Ordinal);
        Assert.Contains("  - GitHub:Repository is required.", err, StringComparison.Ordinal);
        Assert.Contains("  - Prometheus:Url must be an absolute http(s) URL", err, StringComparison.Ordinal);
        Assert.DoesNotContain(Secret, output + err, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--at", "yesterday")]
    [InlineData("stray")]
    public async Task Bad_arguments_are_usage_errors(params string[] extra)
    {
        var (exit, _, err) = await Run(["run", "--once", .. extra]);

        Assert.Equal(2, exit);
        Assert.StartsWith("error:", err, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Help_lists_the_configuration_keys()
    {
        var (exit, output, _) = await Run("run", "--help");

        Assert.Equal(0, exit);
        foreach (var key in new[] { "GitHub:ApiUrl", "GitHub:Token", "GitHub:AppId", "GitHub:PrivateKeyPath", "GitHub:InstallationId", "GitHub:Owner",
                     "GitHub:Repository", "Git:RemoteUrl", "Git:BaseBranch", "Git:CacheDirectory", "Prometheus:Url" })
        {
            Assert.Contains(key, output, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Help_lists_both_commands()
    {
        var (exit, output, _) = await Run("--help");

        Assert.Equal(0, exit);
        Assert.Matches(@"(?m)^\s+analyze\b", output);
        Assert.Matches(@"(?m)^\s+run\b", output);
    }

    [Theory]
    [InlineData("run")]
    [InlineData("analyze")]
    public async Task At_without_a_zone_is_rejected_by_both_commands(string command)
    {
        string[] rest = command == "run" ? ["--once"] : ["--prometheus", "http://127.0.0.1:9/"];

        var (exit, _, err) = await Run([command, .. rest, "--at", "2026-11-25T12:00:00"]);

        Assert.Equal(2, exit);
        Assert.Contains("--at must be an RFC 3339 time with a zone", err, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Configuration_switches_with_separate_values_reach_configuration()
    {
        // "--Prometheus:Url value" (no '=') is the other .NET command-line form; the URL given this way must be validated.
        var (exit, _, err) = await Run("run", "--once", "--Prometheus:Url", "ftp://x", $"--GitHub:Token={Secret}");

        Assert.Equal(2, exit);
        Assert.Contains("  - Prometheus:Url must be an absolute http(s) URL: 'ftp://x'.", err, StringComparison.Ordinal);
    }
}
