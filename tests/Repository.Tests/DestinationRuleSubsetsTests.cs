using Repository.Tests.Invariants;

namespace Repository.Tests;

public sealed class DestinationRuleSubsetsTests
{
    [Fact]
    public async Task Every_subset_selects_pods_of_a_deployment()
    {
        var snapshot = await Real.SnapshotAsync();

        foreach (var unit in snapshot.Units)
        {
            Expect.None(DestinationRuleSubsets.Check(unit.Objects));
        }
    }

    [Fact]
    public void Subset_without_matching_pods_is_reported()
    {
        var violations = DestinationRuleSubsets.Check(Broken.Objects("destinationrule-subsets.yaml")).ToList();

        var v = Expect.One(violations, Broken.File("destinationrule-subsets.yaml"), "DestinationRule ecommerce/product-catalog", "subset 'v2' selects no pods", line: 14);
        Assert.Contains("app=product-catalog, version=v2", v.Message, StringComparison.Ordinal);
        Assert.Single(violations);
    }
}
