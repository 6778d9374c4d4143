using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using PromotionBot.Configuration;
using PromotionBot.Hosting;
using PromotionBot.Tests.Cli;
using Xunit;

namespace PromotionBot.Tests.Hostile;

/// <summary>Where the token may go: HTTPS (or loopback) only, and never silently on the command line.</summary>
public sealed class TokenHygieneTests
{
    private const string Secret = "ghp_CommandLineSecret_0123456789abcdef";

    /// <summary>Options as the host resolves them: bound, completed with defaults, validated (as ValidateOnStart does).</summary>
    private static BotOptions Load(params (string Key, string? Value)[] values)
    {
        var config = new ConfigurationBuilder().AddInMemoryCollection(
            new (string, string?)[] { ("GitHub:Owner", "acme"), ("GitHub:Repository", "gitops"), ("GitHub:Token", Secret), ("Prometheus:Url", "http://prometheus:9090") }
                .Concat(values).Select(v => new KeyValuePair<string, string?>(v.Item1, v.Item2))).Build();
        using var services = new ServiceCollection().AddPromotionBot(config).BuildServiceProvider();
        services.GetRequiredService<IStartupValidator>().Validate();
        return services.GetRequiredService<IOptions<BotOptions>>().Value;
    }

    [Theory]
    [InlineData("GitHub:ApiUrl", "http://ghe.example.com/api/v3", "GitHub:ApiUrl uses http:// to ghe.example.com: the token would travel in clear text. Use https:// (plain http is accepted only for a loopback host).")]
    [InlineData("Git:RemoteUrl", "http://git.example.com/acme/gitops.git", "Git:RemoteUrl uses http:// to git.example.com: the token would travel in clear text. Use https:// (plain http is accepted only for a loopback host).")]
    public void Cleartext_to_a_remote_host_is_refused(string key, string url, string problem)
    {
        var e = Assert.Throws<OptionsValidationException>(() => Load((key, url)));

        Assert.Equal(problem, Assert.Single(e.Failures));
        Assert.DoesNotContain(Secret, e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("http://127.0.0.1:8080/")]
    [InlineData("http://localhost:8080/")]
    [InlineData("http://[::1]:8080/")]
    [InlineData("https://ghe.example.com/api/v3/")]
    public void Https_or_loopback_is_accepted(string url) => Assert.Equal(new Uri(url), Load(("GitHub:ApiUrl", url)).GitHub.ApiUri);

    [Theory]
    [InlineData($"--GitHub:Token={Secret}")]
    [InlineData("--GitHub:Token", Secret)]
    [InlineData($"/github:token={Secret}")]
    [InlineData($"GitHub__Token={Secret}")]
    public async Task A_secret_on_the_command_line_is_warned_about_without_echoing_it(params string[] secretArgs)
    {
        // Invalid otherwise (no owner): the warning comes before configuration is even validated.
        var (exit, stdout, stderr) = await CliRun.InvokeAsync(["run", "--once", .. secretArgs, "--Prometheus:Url=http://p:9090"]);

        Assert.Equal(2, exit);
        Assert.Contains("warning: GitHub:Token was given on the command line, where other users of this machine can read it (process list, shell history). " +
                        "Set it through the environment (GitHub__Token) or a mounted Kubernetes Secret instead.", stderr, StringComparison.Ordinal);
        Assert.DoesNotContain(Secret, stdout + stderr, StringComparison.Ordinal);
    }
}
