using System.Globalization;
using System.Text.RegularExpressions;
using Microsoft.Extensions.DependencyInjection;
using PromotionBot.Cluster;
using PromotionBot.GitHub;
using PromotionBot.Tests.Cli;
using PromotionBot.Tests.GitHub;
using PromotionBot.Tests.PullRequests;
using Xunit;
using static PromotionBot.Tests.PullRequests.PromotionPrometheusFixture;

namespace PromotionBot.Tests.Cluster;

/// <summary>
/// <c>run --once</c> with a kubeconfig pointing at the Kubernetes test server: real Prometheus, real git, the local
/// GitHub API. The gate holds what is not live and never holds a rollback.
/// </summary>
[Collection(PromotionPrometheusCollection.Name)]
public sealed class GatedRunTests(PromotionPrometheusFixture prometheus) : IAsyncLifetime
{
    private static readonly RetryOptions FastRetry = new(4, TimeSpan.FromMilliseconds(20), TimeSpan.FromMilliseconds(50), TimeSpan.FromSeconds(30));
    private KubernetesTestServer _kube = null!;

    public async Task InitializeAsync() => _kube = await KubernetesTestServer.StartAsync();

    public async Task DisposeAsync() => await _kube.DisposeAsync();

    private async Task<(int Exit, string Out, string Err)> Cycle(GitOpsSandbox s, params string[] extra)
    {
        string[] args =
        [
            "run", "--once", "--at", prometheus.At.ToString("O", CultureInfo.InvariantCulture),
            $"--GitHub:ApiUrl={s.GitHub.ApiUrl}", $"--GitHub:Token={GitOpsSandbox.Token}",
            $"--GitHub:Owner={GitOpsSandbox.Owner}", $"--GitHub:Repository={GitOpsSandbox.Repo}",
            $"--Git:RemoteUrl={s.Remote}", $"--Git:CacheDirectory={s.Cache}", $"--Prometheus:Url={prometheus.BaseUrl}",
            $"--Cluster:Kubeconfig={_kube.WriteKubeconfig(Path.Combine(s.Root, "kube"))}", .. extra,
        ];
        // The test process's KUBECONFIG/POD_* must not leak in: the cluster comes from Cluster:Kubeconfig only.
        return await CliRun.InvokeAsync(args, FastRetry, b => b.Services.AddSingleton(new ClusterEnvironment(_ => null)));
    }

    [Fact]
    public async Task Soaking_canary_is_held_while_a_failing_one_is_rolled_back_out_of_sync()
    {
        await using var s = await GitOpsSandbox.CreateAsync((Healthy, 80, 20), (TurnsBad, 80, 20));
        var head = s.Head("main")!;
        LiveObjects.VirtualService(_kube, Healthy, 80, 20);
        LiveObjects.VirtualService(_kube, TurnsBad, 80, 20);
        // Synced three minutes before the evaluation time, and already out of sync again: only the advance may wait.
        LiveObjects.Application(_kube, head, prometheus.At.AddMinutes(-3), sync: "OutOfSync");

        var (exit, output, errors) = await Cycle(s);

        Assert.True(exit == 0, output + errors);
        Assert.Contains("Cluster access through kubeconfig", errors, StringComparison.Ordinal);
        Assert.Matches(@"product-catalog\s+hold\s+nothing\s+hold \(step not live\): waiting for sync: ecommerce is OutOfSync", output);
        var pr = Assert.Single(s.GitHub.PullRequests);
        Assert.Equal("product-catalog: revert to v1 (circuit breaking on v2)", (string)pr["title"]!);
        Assert.Contains("\"cause\":\"waiting-for-sync\"", errors, StringComparison.Ordinal);

        // Synced again: the advance waits for the window to be all new traffic.
        LiveObjects.Application(_kube, head, prometheus.At.AddMinutes(-3));
        (exit, output, errors) = await Cycle(s);
        Assert.True(exit == 0, output + errors);
        Assert.Matches(@"hold \(step not live\): soaking 3m of 10m", output);
        Assert.Single(s.GitHub.PullRequests);

        // A full window after the sync the advance goes through.
        LiveObjects.Application(_kube, head, prometheus.At.AddMinutes(-10));
        (exit, output, errors) = await Cycle(s);
        Assert.True(exit == 0, output + errors);
        Assert.Contains(s.GitHub.PullRequests, p => (string)p["title"]! == "product-catalog: shift v2 20% → 50%");
    }

    [Fact]
    public async Task Cluster_disabled_runs_ungated_and_says_so()
    {
        await using var s = await GitOpsSandbox.CreateAsync((Healthy, 80, 20));
        LiveObjects.VirtualService(_kube, Healthy, 80, 20);
        LiveObjects.Application(_kube, s.Head("main")!, prometheus.At.AddMinutes(-1), sync: "OutOfSync");

        var (exit, output, errors) = await Cycle(s, "--Cluster:Enabled=false");

        Assert.True(exit == 0, output + errors);
        Assert.Single(Regex.Matches(errors, "gating and leader election are off"));
        Assert.Contains("opened #1", output, StringComparison.Ordinal);
        Assert.Empty(_kube.Requests);
    }
}
