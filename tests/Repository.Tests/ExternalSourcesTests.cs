using Repository.Tests.Invariants;

namespace Repository.Tests;

public sealed class ExternalSourcesTests
{
    [Fact]
    public async Task Every_external_application_source_is_pinned()
    {
        var snapshot = await Real.SnapshotAsync();

        Expect.None(ExternalSources.Check(snapshot.DeployedObjects, snapshot.Root));
    }

    [Fact]
    public async Task External_source_on_head_and_chart_on_a_range_are_reported()
    {
        var repo = await Broken.RepositoryAsync();
        var violations = ExternalSources.Check(repo.DeployedObjects, repo.Root).ToList();

        Expect.One(violations, "clusters/lab", "Application argocd/addons-head", "external source https://github.com/istio/istio follows 'HEAD'");
        Expect.One(violations, "clusters/lab", "Application argocd/kiali", "chart kiali-server from https://kiali.org/helm-charts is not pinned to an exact version (targetRevision '>=2.0')");
        Assert.Equal(2, violations.Count); // addons on tag 1.28.10 is pinned; this repository's own sources may follow main
    }
}
