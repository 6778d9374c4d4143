using Repository.Tests.Loading;

namespace Repository.Tests;

/// <summary>How the repository is read: entry points, units per cluster, namespaces from Applications.</summary>
public sealed class RepositorySnapshotTests
{
    [Fact]
    public async Task Entry_points_are_the_layers_nobody_builds_on()
    {
        var repo = await Broken.RepositoryAsync();

        var entryPoints = repo.EntryPoints.Select(e => e.RelativeDirectory).ToList();

        Assert.Equal(["bootstrap", "clusters/lab", "clusters/lab/orphan", "clusters/lab/services/cart", "clusters/lab/tools/lint", "clusters/lab/web"], entryPoints);
    }

    [Fact]
    public async Task Unnamespaced_objects_take_the_namespace_of_the_application_that_syncs_them()
    {
        var repo = await Broken.RepositoryAsync();

        var cart = Assert.Single(repo.EntryPointObjects["clusters/lab/services/cart"]);
        var orphan = Assert.Single(repo.EntryPointObjects["clusters/lab/orphan"]);

        Assert.Equal("ConfigMap cart/cart", cart.Display);       // destination of the generated Application
        Assert.Equal("ConfigMap default/orphan", orphan.Display); // synced by nothing
    }

    [Fact]
    public async Task Every_cluster_unit_also_holds_the_shared_entry_points()
    {
        var repo = await Broken.RepositoryAsync();

        var unit = Assert.Single(repo.Units);

        Assert.Equal("clusters/lab", unit.Name);
        Assert.Contains(unit.Objects, o => o.Display == "Application argocd/root"); // from bootstrap/, outside clusters/
    }

    [Fact]
    public void Repository_root_is_found_above_the_test_binaries()
    {
        Assert.True(File.Exists(Path.Combine(RepoRoot.Path, "GitOpsPromotion.sln")) || Directory.Exists(Path.Combine(RepoRoot.Path, "clusters")));
        Assert.StartsWith(RepoRoot.Path, AppContext.BaseDirectory, StringComparison.Ordinal);
    }
}
