using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using PromotionBot.Cluster;
using PromotionBot.GitHub;
using PromotionBot.Tests.Cli;
using PromotionBot.Tests.Scenarios;
using TestServers.ArgoCd;
using Xunit;

namespace PromotionBot.Tests.TestServers;

/// <summary>
/// The loop the demo plays, once around, with the real bot (<c>run --once</c>) on the tutorial telemetry: this
/// repository's manifests in an origin, the GitHub test server in front of it, the demo reviewer and the Argo CD
/// stand-in. The rollback PR the bot opens is merged by the reviewer and synced by the stand-in; the next cycle sees
/// order-management rolled back and opens nothing new, and the advance of product-catalog soaks behind the fresh sync.
/// </summary>
[Collection(PrometheusScenarioCollection.Name)]
public sealed class WholeLoopTests(PrometheusScenarioFixture prometheus)
{
    private const string BotToken = "ghp_loop_bot_0123456789";
    private const string ReviewerToken = "ghp_loop_reviewer_0123456789";
    private static readonly RetryOptions FastRetry = new(4, TimeSpan.FromMilliseconds(20), TimeSpan.FromMilliseconds(50), TimeSpan.FromSeconds(30));

    private async Task<(int Exit, string Out, string Err)> CycleAsync(ArgoCdStandInFixture f, GitHubTestServer github) =>
        await CliRun.InvokeAsync(
        [
            "run", "--once", "--at", prometheus.At.ToString("O", CultureInfo.InvariantCulture),
            $"--GitHub:ApiUrl={github.ApiUrl}", $"--GitHub:Token={BotToken}", $"--GitHub:Owner={github.Owner}", $"--GitHub:Repository={github.Repository}",
            $"--Git:RemoteUrl={f.Origin}", $"--Git:CacheDirectory={Path.Combine(f.Root, "bot-cache")}", $"--Prometheus:Url={prometheus.BaseUrl}",
            $"--Cluster:Kubeconfig={f.Cluster.WriteKubeconfig(Path.Combine(f.Root, "bot-kube"))}", "--LeaderElection:Enabled=false",
        ], FastRetry, b => b.Services.AddSingleton(new ClusterEnvironment(_ => null)));

    [Fact]
    public async Task A_rollback_pr_is_merged_by_the_reviewer_synced_live_and_not_proposed_again()
    {
        await using var f = await ArgoCdStandInFixture.CreateAsync();
        await using var github = await GitHubTestServer.StartAsync("acme", "gitops", f.Origin);
        github.AcceptToken(BotToken);
        github.AcceptToken(ReviewerToken, "a-reviewer");
        var synced = new TaskCompletionSource<SyncRecord>(TaskCreationOptions.RunContinuationsAsynchronously);
        f.Argo.Synced += r => synced.TrySetResult(r);
        await using var reviewer = DemoReviewer.Start(github.ApiUrl, ReviewerToken, "acme", "gitops", TimeSpan.Zero, TimeSpan.FromMilliseconds(50));
        var before = f.Argo.LiveWeights("ecommerce", "order-management")!;

        var (exit, output, errors) = await CycleAsync(f, github);
        Assert.True(exit == 0, output + errors);
        var pr = Assert.Single(github.PullRequests);
        Assert.StartsWith("order-management: revert to v1", (string)pr["title"]!, StringComparison.Ordinal);
        var sync = await synced.Task.WaitAsync(TimeSpan.FromSeconds(30));
        var merged = Assert.Single(reviewer.Merged);

        Assert.Equal(merged.MergeSha, sync.Revision);
        Assert.True(before["v2"] > 0);
        Assert.Equal(new Dictionary<string, int> { ["v1"] = 100, ["v2"] = 0 }, f.Argo.LiveWeights("ecommerce", "order-management"));

        (exit, output, errors) = await CycleAsync(f, github);
        Assert.True(exit == 0, output + errors);
        Assert.Single(github.PullRequests);
        Assert.Matches(@"order-management\s+hold\s+nothing\s+hold \(rolled back\)", output);
        // Argo CD's sync of the rollback restarted the soak of every canary in the Application.
        Assert.Matches(@"product-catalog\s+hold\s+nothing\s+hold \(step not live\): soaking", output);
        Assert.Empty(reviewer.Problems);
        Assert.Empty(f.Argo.Problems);
    }
}
