using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using PromotionBot.Cluster;
using PromotionBot.GitHub;
using PromotionBot.Hosting;
using PromotionBot.Tests.PullRequests;
using PromotionBot.Worker;
using Xunit;
using static PromotionBot.Tests.PullRequests.PromotionPrometheusFixture;

namespace PromotionBot.Tests.Cluster;

/// <summary>
/// The real worker hosts (<c>run</c>) with a kubeconfig pointing at the Kubernetes test server: two replicas on one
/// Lease, real cycles against Prometheus, git and the local GitHub API, and the Alertmanager webhook on the host.
/// </summary>
[Collection(PromotionPrometheusCollection.Name)]
public sealed class ElectedWorkersTests(PromotionPrometheusFixture prometheus) : IAsyncLifetime
{
    private const string WebhookToken = "webhook-token-for-tests";
    private KubernetesTestServer _kube = null!;

    public async Task InitializeAsync() => _kube = await KubernetesTestServer.StartAsync();

    public async Task DisposeAsync() => await _kube.DisposeAsync();

    private WebApplication Build(GitOpsSandbox s, string identity, string schedule)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var app = WorkerHost.TryBuild(
            [
                "--urls=http://127.0.0.1:0", $"--Worker:Schedule={schedule}",
                $"--GitHub:ApiUrl={s.GitHub.ApiUrl}", $"--GitHub:Token={GitOpsSandbox.Token}",
                $"--GitHub:Owner={GitOpsSandbox.Owner}", $"--GitHub:Repository={GitOpsSandbox.Repo}",
                $"--Git:RemoteUrl={s.Remote}", $"--Git:CacheDirectory={s.Cache}-{identity}", $"--Prometheus:Url={prometheus.BaseUrl}",
                $"--Cluster:Kubeconfig={_kube.WriteKubeconfig(Path.Combine(s.Root, "kube"))}",
                $"--LeaderElection:Identity={identity}", "--LeaderElection:LeaseDuration=3s", "--LeaderElection:Namespace=promotion-bot",
                $"--Alerting:WebhookToken={WebhookToken}",
            ],
            prometheus.At, dryRun: false, stdout, stderr,
            configureRunner: runner => runner with
            {
                GitHubRetry = new RetryOptions(4, TimeSpan.FromMilliseconds(20), TimeSpan.FromMilliseconds(50), TimeSpan.FromSeconds(30)),
            });
        Assert.True(app is not null, stderr.ToString());
        return app;
    }

    private static long Cycles(WebApplication app) => app.Services.GetRequiredService<CycleStatus>().Current.Cycles.Values.Sum();

    private static async Task Until(Func<bool> condition, string what)
    {
        for (var i = 0; i < 3000 && !condition(); i++)
        {
            await Task.Delay(30);
        }

        Assert.True(condition(), $"gave up waiting: {what}");
    }

    private void LiveStep(GitOpsSandbox s)
    {
        LiveObjects.VirtualService(_kube, Healthy, 80, 20);
        LiveObjects.Application(_kube, s.Head("main")!, prometheus.At.AddMinutes(-11));
    }

    [Fact]
    public async Task Two_workers_on_one_lease_only_the_leader_runs_cycles_and_the_other_takes_over_on_stop()
    {
        await using var s = await GitOpsSandbox.CreateAsync((Healthy, 80, 20));
        LiveStep(s);
        await using var a = Build(s, "pod-a", "* * * * * *");
        await using var b = Build(s, "pod-b", "* * * * * *");

        await a.StartAsync();
        await Until(() => a.Services.GetRequiredService<ILeadership>().IsLeader && Cycles(a) >= 2, "pod-a leads and runs cycles");
        await b.StartAsync();
        await Until(() => b.Services.GetRequiredService<CycleStatus>().Current.LastStandbyAt is not null && Cycles(a) >= 4, "pod-b stands by");

        Assert.Equal(0, Cycles(b));
        Assert.False(b.Services.GetRequiredService<ILeadership>().IsLeader);
        Assert.Single(s.GitHub.PullRequests);

        await a.StopAsync(); // SIGTERM: releases the Lease
        await Until(() => Cycles(b) >= 2, "pod-b takes over and runs cycles");
        await b.StopAsync();

        var pr = Assert.Single(s.GitHub.PullRequests);
        Assert.Equal("product-catalog: shift v2 20% → 50%", (string)pr["title"]!);
        Assert.Equal("", (string?)_kube.Lease("promotion-bot", "promotion-bot")!["spec"]!["holderIdentity"]);
    }

    [Fact]
    public async Task Alertmanager_webhook_starts_a_cycle_for_the_canary_it_names()
    {
        await using var s = await GitOpsSandbox.CreateAsync((Healthy, 80, 20));
        LiveStep(s);
        // Once a year: every cycle in this test is one the webhook asked for.
        await using var app = Build(s, "pod-a", "0 0 0 1 1 *");
        await app.StartAsync();
        await Until(() => app.Services.GetRequiredService<ILeadership>().IsLeader, "leads");
        // The directory of canaries is filled by cycles; the first request (all canaries) is what a start-up would do.
        app.Services.GetRequiredService<CycleTrigger>().Request();
        await Until(() => Cycles(app) == 1, "first cycle");

        using var http = new HttpClient { BaseAddress = new Uri(app.Urls.Single()) };
        using var request = new HttpRequestMessage(HttpMethod.Post, AlertmanagerWebhook.Path)
        {
            Content = new StringContent(
                $$$"""{"version":"4","status":"firing","alerts":[{"status":"firing","labels":{"destination_service_namespace":"{{{Healthy}}}","destination_service_name":"product-catalog"}}]}""",
                Encoding.UTF8, "application/json"),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", WebhookToken);
        using var response = await http.SendAsync(request);

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        await Until(() => Cycles(app) == 2, "the requested cycle");
        await app.StopAsync();
        Assert.Contains($"{Healthy}/product-catalog", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }
}
