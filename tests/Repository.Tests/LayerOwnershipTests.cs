using Repository.Tests.Invariants;

namespace Repository.Tests;

public sealed class LayerOwnershipTests
{
    [Fact]
    public async Task Every_layer_is_owned_by_exactly_one_application()
    {
        var snapshot = await Real.SnapshotAsync();

        Expect.None(LayerOwnership.Check(snapshot.DeployedObjects, snapshot.Graph));
    }

    [Fact]
    public async Task Shared_nested_and_orphan_layers_are_reported()
    {
        var repo = await Broken.RepositoryAsync();
        var violations = LayerOwnership.Check(repo.DeployedObjects, repo.Graph).ToList();

        Expect.One(violations, "clusters/lab", "Application argocd/web-again", "path 'clusters/lab/web/' is already synced by Application argocd/web");
        Expect.One(violations, "clusters/lab", "Application argocd/web-base", "'apps/web/base' is also built into 'clusters/lab/web'");
        Expect.One(violations, "clusters/lab/orphan/kustomization.yaml", "Kustomization clusters/lab/orphan", "synced by no Application");
        Expect.One(violations, "clusters/lab/tools/lint/kustomization.yaml", "Kustomization clusters/lab/tools/lint", "synced by no Application");
        Assert.Equal(4, violations.Count); // clusters/lab (root app), web and the generated cart application are owned once
    }
}
