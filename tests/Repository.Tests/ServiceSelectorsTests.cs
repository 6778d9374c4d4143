using Repository.Tests.Invariants;
using Repository.Tests.Loading;

namespace Repository.Tests;

public sealed class ServiceSelectorsTests
{
    [Fact]
    public async Task Every_service_selects_a_deployment()
    {
        var snapshot = await Real.SnapshotAsync();

        Assert.Contains(snapshot.DeployedObjects, o => o.Kind == "Service");
        foreach (var unit in snapshot.Units)
        {
            Expect.None(ServiceSelectors.Check(unit.Objects));
        }
    }

    [Fact]
    public void Selector_matching_no_pods_in_its_namespace_is_reported()
    {
        var violations = ServiceSelectors.Check(Broken.Objects("service-selectors.yaml")).ToList();

        Expect.One(violations, Broken.File("service-selectors.yaml"), "Service ecommerce/product-inventory", "selector {app=inventory} matches no Deployment", line: 10);
        Assert.Single(violations);
    }

    [Fact]
    public async Task Rendered_violation_names_the_entry_point_and_the_namespace_kustomize_set()
    {
        var render = await KustomizeRenderer.RenderAsync(Broken.FullPath("rendered"), RepoRoot.Path);
        Assert.True(render.Succeeded, render.Error);
        var objects = YamlDocuments.Objects(render.Output, render.EntryPoint, withLines: false);

        var v = Expect.One(ServiceSelectors.Check(objects), Broken.File("rendered"), "Service ecommerce/contact-support-team", "selector {app=contact-support}");
        Assert.Null(v.Where.Line); // rendered output has no source line
    }

    [Fact]
    public async Task Violation_in_a_synced_layer_names_the_entry_point_and_the_defining_file()
    {
        var repo = await Broken.RepositoryAsync();
        var unit = Assert.Single(repo.Units);

        var v = Expect.One(ServiceSelectors.Check(unit.Objects), "clusters/lab/web", "Service web/web", "selector {app=website}");
        Assert.Equal("apps/web/base/web.yaml:17", v.Where.Source);
        Assert.Contains("clusters/lab/web (defined in apps/web/base/web.yaml:17)", v.ToString(), StringComparison.Ordinal);
    }
}
