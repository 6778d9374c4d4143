using System.Globalization;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using PromotionBot.Cli;
using PromotionBot.GitHub;
using PromotionBot.Tests.PullRequests;
using PromotionBot.Worker;
using Xunit;
using static PromotionBot.Tests.PullRequests.PromotionPrometheusFixture;

namespace PromotionBot.Tests.Worker;

/// <summary>
/// `run` as a service on a loopback port: real cycles every second against the real Prometheus, a bare git remote
/// and the local GitHub API, then the endpoints as a kubelet and Prometheus would read them.
/// </summary>
[Collection(PromotionPrometheusCollection.Name)]
public sealed class WorkerHostTests(PromotionPrometheusFixture prometheus)
{
    private string[] Args(GitOpsSandbox s, params string[] extra) =>
    [
        "--urls=http://127.0.0.1:0", "--Worker:Schedule=* * * * * *",
        $"--GitHub:ApiUrl={s.GitHub.ApiUrl}", $"--GitHub:Token={GitOpsSandbox.Token}",
        $"--GitHub:Owner={GitOpsSandbox.Owner}", $"--GitHub:Repository={GitOpsSandbox.Repo}",
        $"--Git:RemoteUrl={s.Remote}", $"--Git:CacheDirectory={s.Cache}",
        $"--Prometheus:Url={prometheus.BaseUrl}", .. extra,
    ];

    private WebApplication Build(GitOpsSandbox s, StringWriter stdout, StringWriter stderr, CapturedLogs logs, ILeadership? leadership = null)
    {
        var app = WorkerHost.TryBuild(Args(s), prometheus.At, dryRun: false, stdout, stderr,
            services =>
            {
                services.AddLogging(l => l.AddProvider(logs));
                if (leadership is not null)
                {
                    services.AddSingleton(leadership);
                }
            },
            runner => runner with
            {
                GitHubRetry = new RetryOptions(4, TimeSpan.Zero, TimeSpan.Zero, TimeSpan.FromSeconds(30)),
            });
        Assert.True(app is not null, stderr.ToString());
        return app;
    }

    private static async Task WaitForCyclesAsync(WebApplication app, int count)
    {
        var status = app.Services.GetRequiredService<CycleStatus>();
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        while (status.Current.Cycles.Values.Sum() < count)
        {
            await Task.Delay(50, deadline.Token);
        }
    }

    [Fact]
    public async Task Serves_health_readiness_and_metrics_after_real_cycles()
    {
        await using var s = await GitOpsSandbox.CreateAsync((Healthy, 80, 20), (TurnsBad, 50, 50));
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var logs = new CapturedLogs();
        var leadership = new SwitchableLeadership();
        await using var app = Build(s, stdout, stderr, logs, leadership);
        await app.StartAsync();
        await WaitForCyclesAsync(app, 3);

        using var http = new HttpClient { BaseAddress = new Uri(app.Urls.Single()) };
        var health = await http.GetAsync(new Uri("/healthz", UriKind.Relative));
        var ready = await http.GetAsync(new Uri("/readyz", UriKind.Relative));
        var leading = MetricsText.Parse(await http.GetStringAsync(new Uri("/metrics", UriKind.Relative)));

        // Step down, so the numbers below come from cycles that are over (no cycle ends between two series).
        var status = app.Services.GetRequiredService<CycleStatus>();
        var steppedDown = DateTimeOffset.UtcNow;
        leadership.IsLeader = false;
        using (var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(90)))
        {
            while (!(status.Current.LastStandbyAt > steppedDown))
            {
                await Task.Delay(50, deadline.Token);
            }
        }

        var standbyReady = await http.GetAsync(new Uri("/readyz", UriKind.Relative));
        var text = await http.GetStringAsync(new Uri("/metrics", UriKind.Relative));
        await app.StopAsync();

        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        Assert.StartsWith("ready: leader, last cycle finished", await ready.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(1, leading.Value("promotion_leader"));
        Assert.Equal(HttpStatusCode.OK, standbyReady.StatusCode);
        Assert.StartsWith("ready: standby", await standbyReady.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        var types = MetricsText.Types(text);
        Assert.All(PromotionMetrics.Names, name => Assert.True(types.ContainsKey(name), $"{name} missing from /metrics:\n{text}"));
        Assert.Equal("histogram", types["promotion_cycle_duration_seconds"]);

        var m = MetricsText.Parse(text);
        const string healthy = $"{Healthy}/product-catalog";
        const string bad = $"{TurnsBad}/product-catalog";
        var cycles = m.Value("promotion_cycles_total", ("result", "success"));
        Assert.True(cycles >= 3, text);
        Assert.Equal(0, m.Value("promotion_cycles_total", ("result", "failure")));
        Assert.Equal(cycles, m.Value("promotion_decisions_total", ("canary", healthy), ("decision", "advance")));
        Assert.Equal(cycles, m.Value("promotion_decisions_total", ("canary", bad), ("decision", "rollback")));
        Assert.Equal(cycles, m.Value("promotion_cycle_duration_seconds_count"));
        Assert.Equal(80, m.Value("promotion_canary_weight", ("canary", healthy), ("subset", "v1")));
        Assert.Equal(20, m.Value("promotion_canary_weight", ("canary", healthy), ("subset", "v2")));
        Assert.Equal(50, m.Value("promotion_canary_weight", ("canary", bad), ("subset", "v2")));
        Assert.InRange(m.Value("promotion_canary_error_rate", ("canary", healthy), ("subset", "v2")), 0, 0.01);
        Assert.True(m.Value("promotion_canary_error_rate", ("canary", bad), ("subset", "v2")) > 0.01, text);
        // Opened by the first cycle, listed by the later ones: one PR per canary, never a duplicate.
        Assert.Equal(1, m.Value("promotion_pull_requests_open", ("canary", healthy), ("kind", "advance")));
        Assert.Equal(0, m.Value("promotion_pull_requests_open", ("canary", healthy), ("kind", "rollback")));
        Assert.Equal(1, m.Value("promotion_pull_requests_open", ("canary", bad), ("kind", "rollback")));
        Assert.Equal(2, s.GitHub.PullRequests.Count);
        Assert.Equal(0, m.Value("promotion_leader"));
        var last = DateTimeOffset.FromUnixTimeMilliseconds((long)(m.Value("promotion_last_cycle_timestamp_seconds") * 1000));
        Assert.InRange(last, DateTimeOffset.UtcNow.AddMinutes(-2), DateTimeOffset.UtcNow);

        Assert.Contains(logs.Lines, l => l.Contains($"Canary {healthy}: advance at v1:80,v2:20 → v1:50,v2:50 (v2 healthy", StringComparison.Ordinal));
        Assert.Contains(logs.Lines, l => l.Contains($"Canary {bad}: rollback at v1:50,v2:50 → v1:100,v2:0 (", StringComparison.Ordinal));
        Assert.DoesNotContain(GitOpsSandbox.Token, text + string.Join('\n', logs.Lines) + stdout + stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_cycle_that_fails_is_counted_and_the_host_keeps_serving()
    {
        await using var s = await GitOpsSandbox.CreateAsync((Healthy, 80, 20));
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var logs = new CapturedLogs();
        // Listing pull requests fails past every retry: the whole cycle fails, every time.
        s.GitHub.FailNext(GitHubFault.ServerError, count: 1000, match: "GET /pulls");
        await using var app = Build(s, stdout, stderr, logs);
        await app.StartAsync();
        await WaitForCyclesAsync(app, 2);

        using var http = new HttpClient { BaseAddress = new Uri(app.Urls.Single()) };
        var ready = await http.GetAsync(new Uri("/readyz", UriKind.Relative));
        var m = MetricsText.Parse(await http.GetStringAsync(new Uri("/metrics", UriKind.Relative)));
        await app.StopAsync();

        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        Assert.True(m.Value("promotion_cycles_total", ("result", "failure")) >= 2);
        Assert.Equal(0, m.Value("promotion_cycles_total", ("result", "success")));
        Assert.Contains(logs.Lines, l => l.StartsWith("Error PromotionBot.Worker.PromotionWorker: Cycle failed", StringComparison.Ordinal));
        Assert.DoesNotContain(GitOpsSandbox.Token, string.Join('\n', logs.Lines), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Every_configuration_problem_is_one_line_at_start_without_secret_values()
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();

        var exit = await BotCli.InvokeAsync(
            ["run", $"--GitHub:Token={GitOpsSandbox.Token}", "--Prometheus:Url=ftp://prometheus", "--Worker:Schedule=every minute",
             "--Worker:TimeZone=Mars/Olympus_Mons", "--urls=http://127.0.0.1:0"], stdout, stderr);

        Assert.Equal(2, exit);
        // The token on the command line also earns a warning line (issue 12); the problems follow it.
        var all = stderr.ToString().ReplaceLineEndings("\n").TrimEnd().Split('\n');
        Assert.StartsWith("warning: GitHub:Token was given on the command line", all[0], StringComparison.Ordinal);
        var lines = all[1..];
        Assert.Equal("Invalid configuration:", lines[0]);
        Assert.Equal(
        [
            "  - GitHub:Owner is required.",
            "  - GitHub:Repository is required.",
            "  - Prometheus:Url must be an absolute http(s) URL: 'ftp://prometheus'.",
            "  - Worker:Schedule is not a 6-field cron expression with seconds",
            "  - Worker:TimeZone is not a known time zone id (e.g. UTC, Europe/Berlin): 'Mars/Olympus_Mons'.",
        ], lines[1..].Select(l => l.StartsWith("  - Worker:Schedule", StringComparison.Ordinal) ? l[..l.IndexOf(" with seconds", StringComparison.Ordinal)] + " with seconds" : l));
        Assert.DoesNotContain(GitOpsSandbox.Token, stdout.ToString() + stderr, StringComparison.Ordinal);
    }

    private sealed class SwitchableLeadership : ILeadership
    {
        private volatile bool isLeader = true;

        public bool IsLeader { get => isLeader; set => isLeader = value; }
    }
}
