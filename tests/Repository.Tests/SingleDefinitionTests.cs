using Repository.Tests.Invariants;

namespace Repository.Tests;

public sealed class SingleDefinitionTests
{
    [Fact]
    public async Task Objects_rendered_by_several_entry_points_are_defined_identically()
    {
        var snapshot = await Real.SnapshotAsync();

        foreach (var unit in snapshot.Units)
        {
            Expect.None(SingleDefinition.Check(unit.Objects));
        }
    }

    [Fact]
    public void Differing_definitions_of_one_object_are_reported_naming_both_places()
    {
        var violations = SingleDefinition.Check(Broken.Objects("single-definition.yaml")).ToList();
        var file = Broken.File("single-definition.yaml");

        Expect.One(violations, file, "AppProject argocd/istio-gitops", $"is also defined, differently, by {file}:2", line: 11);
        Assert.Single(violations);
    }

    [Fact]
    public void Identical_definitions_in_two_entry_points_are_fine_whatever_the_key_order()
    {
        var a = Loading.YamlDocuments.Objects("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c, namespace: n}\ndata: {x: '1', y: '2'}\n", "one");
        var b = Loading.YamlDocuments.Objects("kind: ConfigMap\napiVersion: v1\ndata: {y: '2', x: '1'}\nmetadata: {namespace: n, name: c}\n", "two");

        Expect.None(SingleDefinition.Check([.. a, .. b]));
    }
}
