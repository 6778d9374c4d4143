using Repository.Tests.Invariants;

namespace Repository.Tests;

public sealed class VirtualServiceWeightsTests
{
    [Fact]
    public async Task Rendered_virtual_services_split_100_percent()
    {
        var snapshot = await Real.SnapshotAsync();

        Assert.Contains(snapshot.DeployedObjects, o => o.Kind == "VirtualService");
        foreach (var unit in snapshot.Units)
        {
            Expect.None(VirtualServiceWeights.Check(unit.Objects));
        }
    }

    [Fact]
    public void Split_that_sums_to_90_is_reported_at_its_route()
    {
        var violations = VirtualServiceWeights.Check(Broken.Objects("virtualservice-weights.yaml")).ToList();

        var v = Expect.One(violations, Broken.File("virtualservice-weights.yaml"), "VirtualService ecommerce/product-catalog", "sum to 90, not 100", line: 11);
        Assert.Contains("product-catalog/v1=70 + product-catalog/v2=20", v.Message, StringComparison.Ordinal);
        Assert.Single(violations); // the lone unweighted destination counts as 100
    }
}
