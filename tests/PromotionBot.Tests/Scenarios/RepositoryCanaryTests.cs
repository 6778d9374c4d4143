// PENDING: rename to .cs once main holds apps/**/promotion-policy.yaml (h-gitops); verified green on main+h-gitops apps.
using Xunit;

namespace PromotionBot.Tests.Scenarios;

/// <summary>
/// analyze over THIS repository's apps/ (the tutorial's two canaries and their real policies and VirtualServices), on the
/// tutorial scenario: product-catalog v2 healthy, order-management v2 tripping its circuit breaker.
/// </summary>
[Collection(PrometheusScenarioCollection.Name)]
public sealed class RepositoryCanaryTests(PrometheusScenarioFixture fixture)
{
    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "GitOpsPromotion.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("GitOpsPromotion.sln not found above " + AppContext.BaseDirectory);
    }

    [Fact]
    public async Task TheTutorialCanariesAreJudgedFromTheRepositorysOwnPolicies()
    {
        var run = await AnalyzeRun.InvokeAsync(RepositoryRoot(), fixture.BaseUrl, fixture.At);
        Assert.True(run.ExitCode == 0, $"exit {run.ExitCode}: {run.Stderr}\n{run.Json}");

        var catalog = run.Canary("product-catalog");
        Assert.Equal("ecommerce", catalog.GetProperty("namespace").GetString());
        var current = catalog.GetProperty("weights").GetProperty("v2").GetInt32();
        Assert.True(catalog.Decision() is "advance" or "promote", catalog.Explain());
        Assert.True(catalog.NextWeights()!["v2"] > current, catalog.Explain());

        var orders = run.Canary("order-management");
        Assert.True(orders.Decision() == "rollback", orders.Explain());
        Assert.Equal(0, orders.NextWeights()!["v2"]);
        Assert.Contains(orders.Checks(), k => k.Subset == "v2" && k.Result == "fail");
    }
}
