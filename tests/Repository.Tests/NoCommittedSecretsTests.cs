using Repository.Tests.Invariants;

namespace Repository.Tests;

public sealed class NoCommittedSecretsTests
{
    [Fact]
    public async Task No_yaml_file_or_rendered_layer_commits_secret_data()
    {
        var snapshot = await Real.SnapshotAsync();

        Expect.None(NoCommittedSecrets.Check(snapshot.CommittedObjects)
            .Concat(NoCommittedSecrets.Check(snapshot.DeployedObjects))
            .Concat(snapshot.Graph.Layers.Values.SelectMany(NoCommittedSecrets.Check)));
    }

    [Fact]
    public void Secret_with_data_or_string_data_is_reported()
    {
        var violations = NoCommittedSecrets.Check(Broken.Objects("secrets.yaml")).ToList();
        var file = Broken.File("secrets.yaml");

        Expect.One(violations, file, "Secret promotion-bot/github-token", "commits secret stringData (token)", line: 9);
        Expect.One(violations, file, "Secret ecommerce/mongodb", "commits secret data (password)", line: 17);
        Assert.Equal(2, violations.Count);
    }

    [Fact]
    public void Secret_generator_with_literals_is_reported()
    {
        var violations = NoCommittedSecrets.Check(Broken.Layer("secret-generator")).ToList();

        Expect.One(violations, Broken.File("secret-generator/kustomization.yaml"), "secretGenerator grafana-admin", "from committed literals", line: 5);
    }
}
