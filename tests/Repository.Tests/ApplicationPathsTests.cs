using Repository.Tests.Invariants;

namespace Repository.Tests;

public sealed class ApplicationPathsTests
{
    [Fact]
    public async Task Every_application_path_exists_in_the_repository()
    {
        var snapshot = await Real.SnapshotAsync();

        Assert.NotEmpty(snapshot.DeployedApplications());
        Expect.None(ApplicationPaths.Check(snapshot.DeployedObjects, snapshot.Root));
    }

    [Fact]
    public async Task Missing_path_is_reported_for_applications_and_generated_applications()
    {
        var repo = await Broken.RepositoryAsync();
        var violations = ApplicationPaths.Check(repo.DeployedObjects, repo.Root).ToList();

        Expect.One(violations, "clusters/lab", "Application argocd/ghost", "path 'clusters/lab/ghost' does not exist");
        Expect.One(violations, "clusters/lab", "ApplicationSet argocd/tools → tool-lint", "path 'tools/lint/deploy' does not exist");
        Assert.Equal(2, violations.Count); // the external istio/istio source is not looked up here
    }

    [Fact]
    public async Task Application_set_git_directories_expand_to_one_application_per_folder()
    {
        var repo = await Broken.RepositoryAsync();

        var generated = repo.DeployedApplications().Where(a => a.Manifest.Name == "services").ToList();

        var cart = Assert.Single(generated);
        Assert.Equal("cart", cart.Name);
        Assert.Equal("clusters/lab/services/cart", Assert.Single(cart.Sources).Path);
        Assert.Equal("cart", cart.DestinationNamespace);
    }

    [Fact]
    public async Task This_repository_is_the_url_most_sources_agree_on()
    {
        var repo = await Broken.RepositoryAsync();

        var self = ApplicationPaths.ThisRepositoryUrls(repo.DeployedApplications());

        Assert.Equal(["https://github.com/example-org/shop"], self);
    }
}
