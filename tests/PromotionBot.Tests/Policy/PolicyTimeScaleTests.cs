using PromotionBot.Analysis;
using PromotionBot.Configuration;
using PromotionBot.Policy;
using PromotionBot.Tests.Cli;
using PromotionBot.PullRequests;
using PromotionBot.Tests.Cluster;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using PromotionBot.Tests.PullRequests;
using PromotionBot.Tests.Worker;
using PromotionBot.Worker;
using Xunit;

namespace PromotionBot.Tests.Policy;

/// <summary>Policy:TimeScale: policy durations divided as they load, kept whole, at least 1 s and consistent; bad values refused.</summary>
public sealed class PolicyTimeScaleTests
{
    private const string ProductCatalog = "apps/ecommerce/components/product-catalog-canary/promotion-policy.yaml";

    private static CanaryPolicy Shipped() => PolicyLoader.Load(RepositoryFiles.Root, ProductCatalog);

    [Fact]
    public void The_shipped_policy_at_time_x20_judges_30s_windows_in_3s_intervals()
    {
        var shipped = Shipped();

        var scaled = PolicyTimeScale.Apply(shipped, 20);

        Assert.Equal(shipped.Analysis.Window / 20, scaled.Analysis.Window);
        Assert.Equal(shipped.Analysis.Interval / 20, scaled.Analysis.Interval);
        Assert.Equal(shipped.Analysis.MaxStaleness / 20, scaled.Analysis.MaxStaleness);
        Assert.Equal(20, scaled.Analysis.TimeScale);
        // Only durations change: thresholds, steps and the rest are as written.
        Assert.Equal(shipped.Analysis with { Window = scaled.Analysis.Window, Interval = scaled.Analysis.Interval, MaxStaleness = scaled.Analysis.MaxStaleness, TimeScale = 20 },
            scaled.Analysis);
        Assert.Equal(shipped.Steps, scaled.Steps);
        Assert.Same(shipped, PolicyTimeScale.Apply(shipped, 1));
    }

    [Fact]
    public void The_pr_body_evidence_says_time_xN_and_shows_the_scaled_window()
    {
        var e = Canaries.Evaluation(DecisionKind.Advance, (80, 20), (50, 50));
        var scaled = e with { Policy = PolicyTimeScale.Apply(e.Policy!, 20) };
        var links = new LinkSettings(null, null, null, null, null);

        var plain = PullRequestBody.Render(new PromotionProposal(e, e.Policy!, e.Decision!), "abc", null, links);
        var body = PullRequestBody.Render(new PromotionProposal(scaled, scaled.Policy!, scaled.Decision!), "abc", null, links);

        Assert.Contains($"### Evidence (last {PullRequestBody.Duration(e.Policy!.Analysis.Window / 20)}, time ×20)", body, StringComparison.Ordinal);
        Assert.DoesNotContain("time ×", plain, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(7)]
    [InlineData(13.5)]
    [InlineData(1000)]
    [InlineData(1e9)]
    public void Scaled_durations_stay_whole_seconds_of_at_least_1s_and_the_breach_still_fits_the_window(double factor)
    {
        var shipped = Shipped();
        var policy = shipped with { Analysis = shipped.Analysis with { Window = TimeSpan.FromMinutes(5), Interval = TimeSpan.FromMinutes(1), FailureThreshold = 5 } };

        var a = PolicyTimeScale.Apply(policy, factor).Analysis;

        foreach (var d in new[] { a.Window, a.Interval, a.MaxStaleness })
        {
            Assert.True(d >= TimeSpan.FromSeconds(1) && d.Ticks % TimeSpan.TicksPerSecond == 0, $"{d} at ×{factor}");
        }

        Assert.True(a.Interval * a.FailureThreshold <= a.Window, $"{a.Interval} × {a.FailureThreshold} > {a.Window} at ×{factor}");
        Assert.True(a.Window <= policy.Analysis.Window, "scaling never lengthens a window");
    }

    [Theory]
    [InlineData(0.5)]
    [InlineData(0)]
    [InlineData(-2)]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    public void A_scale_below_1_or_not_a_number_is_refused(double factor)
    {
        Assert.NotNull(PolicyTimeScale.Problem(factor, "Policy:TimeScale"));
        Assert.Throws<ArgumentOutOfRangeException>(() => PolicyTimeScale.Apply(Shipped(), factor));
        var result = new BotOptionsValidator().Validate(null, new BotOptions { Policy = { TimeScale = factor } });
        Assert.Contains(result.Failures!, f => f.StartsWith("Policy:TimeScale must be a number of at least 1", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("--Policy:TimeScale=0.5", "  - Policy:TimeScale must be a number of at least 1")]
    [InlineData("--Policy:TimeScale=fast", "Policy:TimeScale")]
    public async Task Run_reports_a_bad_time_scale_as_a_configuration_error(string setting, string expected)
    {
        var (exit, _, err) = await CliRun.InvokeAsync(["run", "--once", "--GitHub:Token=t", "--GitHub:Owner=o", "--GitHub:Repository=r",
            "--Prometheus:Url=http://127.0.0.1:9", setting]);

        Assert.Equal(2, exit);
        Assert.Contains(expected, err, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_once_warns_that_time_is_compressed()
    {
        await using var sandbox = await GitOpsSandbox.CreateAsync(("ecommerce", 80, 20));

        var (_, _, err) = await CliRun.InvokeAsync(["run", "--once", "--dry-run", $"--Git:RemoteUrl={sandbox.Remote}", $"--Git:CacheDirectory={sandbox.Cache}",
            "--Prometheus:Url=http://127.0.0.1:9", "--Prometheus:Retries=0", "--Cluster:Enabled=false", "--Policy:TimeScale=20"]);

        Assert.Contains("warning: Policy:TimeScale is 20: every policy duration is divided by it (time ×20: a 10m window is judged over 30s)", err, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_worker_logs_a_warning_at_start()
    {
        await using var sandbox = await GitOpsSandbox.CreateAsync(("ecommerce", 80, 20));
        var logs = new CapturedLogs();
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();

        await using var app = WorkerHost.TryBuild(["--urls=http://127.0.0.1:0", $"--GitHub:ApiUrl={sandbox.GitHub.ApiUrl}", $"--GitHub:Token={GitOpsSandbox.Token}",
            $"--GitHub:Owner={GitOpsSandbox.Owner}", $"--GitHub:Repository={GitOpsSandbox.Repo}", $"--Git:RemoteUrl={sandbox.Remote}",
            $"--Git:CacheDirectory={sandbox.Cache}", "--Prometheus:Url=http://127.0.0.1:9", "--Cluster:Enabled=false", "--Policy:TimeScale=20"],
            null, dryRun: false, stdout, stderr, services => services.AddLogging(l => l.AddProvider(logs)));

        Assert.True(app is not null, stderr.ToString());
        Assert.Contains(logs.Lines, l => l.Contains("Warning", StringComparison.Ordinal) && l.Contains("Policy:TimeScale is 20", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Analyze_refuses_a_time_scale_below_1()
    {
        var (exit, _, err) = await CliRun.InvokeAsync(["analyze", "--repo", RepositoryFiles.Root, "--prometheus", "http://127.0.0.1:9", "--time-scale", "0.5"]);

        Assert.Equal(2, exit);
        Assert.Contains("--time-scale must be a number of at least 1", err, StringComparison.Ordinal);
    }
}
