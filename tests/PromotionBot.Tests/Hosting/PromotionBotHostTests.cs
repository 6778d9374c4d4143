using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using PromotionBot.Configuration;
using PromotionBot.Git;
using PromotionBot.GitHub;
using PromotionBot.Hosting;
using PromotionBot.PullRequests;
using PromotionBot.Tests.Cli;
using PromotionBot.Tests.PullRequests;
using Xunit;
using static PromotionBot.Tests.PullRequests.PromotionPrometheusFixture;

namespace PromotionBot.Tests.Hosting;

/// <summary>
/// The host as the worker uses it: <see cref="PromotionBotHost.CreateBuilder"/>, a <see cref="PromotionCycle"/> resolved
/// from it and run with a <see cref="CycleRequest"/>, against the real Prometheus, git remote and local GitHub.
/// </summary>
[Collection(PromotionPrometheusCollection.Name)]
public sealed class PromotionBotHostTests(PromotionPrometheusFixture prometheus)
{
    private WebApplication Host(GitOpsSandbox s, params string[] extra)
    {
        var builder = PromotionBotHost.CreateBuilder([
            $"--GitHub:ApiUrl={s.GitHub.ApiUrl}", $"--GitHub:Token={GitOpsSandbox.Token}",
            $"--GitHub:Owner={GitOpsSandbox.Owner}", $"--GitHub:Repository={GitOpsSandbox.Repo}",
            $"--Git:RemoteUrl={s.Remote}", $"--Git:CacheDirectory={s.Cache}", $"--Prometheus:Url={prometheus.BaseUrl}", .. extra]);
        builder.Logging.ClearProviders();
        builder.Services.AddSingleton(CliRun.NoWaitRetry);
        return builder.Build();
    }

    [Fact]
    public async Task A_cycle_for_named_canaries_leaves_the_others_alone()
    {
        await using var s = await GitOpsSandbox.CreateAsync((Healthy, 80, 20), (TurnsBad, 50, 50));
        await using var app = Host(s);
        var cycle = app.Services.GetRequiredService<PromotionCycle>();

        var report = await cycle.RunAsync(new CycleRequest(prometheus.At, Canaries: new HashSet<string> { $"{Healthy}/product-catalog" }), default);

        var line = Assert.Single(report.Lines);
        Assert.Equal("opened #1", line.Action);
        Assert.Equal(GitOpsSandbox.Branch(Healthy), (string)Assert.Single(s.GitHub.PullRequests)["head"]!["ref"]!);
        Assert.Null(s.Head(GitOpsSandbox.Branch(TurnsBad)));
    }

    [Fact]
    public async Task A_dry_run_request_writes_nothing_and_the_next_real_request_acts()
    {
        await using var s = await GitOpsSandbox.CreateAsync((Healthy, 80, 20));
        await using var app = Host(s);
        using var preview = new StringWriter();

        var dry = await app.Services.GetRequiredService<PromotionCycle>().RunAsync(new CycleRequest(prometheus.At, preview), default);
        Assert.True(dry.DryRun);
        Assert.Equal("would open PR", Assert.Single(dry.Lines).Action);
        Assert.Contains("+      weight: 50", preview.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain(s.GitHub.Requests, r => r.IsWrite);

        var real = await app.Services.GetRequiredService<PromotionCycle>().RunAsync(new CycleRequest(prometheus.At), default);
        Assert.Equal("opened #1", Assert.Single(real.Lines).Action);
    }

    [Fact]
    public async Task The_composition_root_resolves_the_real_implementations_once()
    {
        await using var s = await GitOpsSandbox.CreateAsync((Healthy, 80, 20));
        await using var app = Host(s, "--Links:Grafana=https://grafana.example/");

        Assert.IsType<GitHubPullRequestClient>(app.Services.GetRequiredService<IPullRequestClient>());
        Assert.Same(app.Services.GetRequiredService<IGitWorkspace>(), app.Services.GetRequiredService<IGitWorkspace>());
        Assert.Equal(new Uri("https://grafana.example/"), app.Services.GetRequiredService<IOptions<BotOptions>>().Value.LinkSettings().Grafana);
    }

    [Fact]
    public async Task Starting_the_host_with_bad_configuration_reports_every_problem()
    {
        var builder = PromotionBotHost.CreateBuilder(["--Prometheus:Url=not a url", "--Git:BaseBranch=a..b", "--GitHub:AppId=x"]);
        builder.Logging.ClearProviders();
        await using var app = builder.Build();

        var ex = Assert.Throws<OptionsValidationException>(() => app.Services.GetRequiredService<IStartupValidator>().Validate());

        Assert.Contains("Prometheus:Url must be an absolute http(s) URL: 'not a url'.", ex.Failures);
        Assert.Contains("Git:BaseBranch is not a valid branch name: 'a..b'.", ex.Failures);
        Assert.Contains("GitHub:AppId must be a positive integer.", ex.Failures);
        Assert.Contains("GitHub:Owner is required.", ex.Failures);
    }
}
