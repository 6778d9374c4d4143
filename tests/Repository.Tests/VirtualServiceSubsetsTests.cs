using Repository.Tests.Invariants;

namespace Repository.Tests;

public sealed class VirtualServiceSubsetsTests
{
    [Fact]
    public async Task Every_routed_subset_is_defined_by_a_destination_rule()
    {
        var snapshot = await Real.SnapshotAsync();

        Assert.Contains(snapshot.DeployedObjects, o => o.Kind == "DestinationRule");
        foreach (var unit in snapshot.Units)
        {
            Expect.None(VirtualServiceSubsets.Check(unit.Objects));
        }
    }

    [Fact]
    public void Undefined_subset_and_missing_rule_are_reported()
    {
        var violations = VirtualServiceSubsets.Check(Broken.Objects("virtualservice-subsets.yaml")).ToList();
        var file = Broken.File("virtualservice-subsets.yaml");

        Expect.One(violations, file, "VirtualService ecommerce/order-management", "subset 'v3' of order-management.ecommerce.svc.cluster.local, but its DestinationRule defines only [v1, v2]", line: 18);
        Expect.One(violations, file, "VirtualService ecommerce/order-management", "no DestinationRule has host profile-management.ecommerce.svc.cluster.local", line: 23);
        Assert.Equal(2, violations.Count); // the short host "order-management" resolves to the rule's FQDN
    }

    [Theory]
    [InlineData("product-catalog", "ecommerce", "product-catalog.ecommerce.svc.cluster.local")]
    [InlineData("product-catalog.shop", "ecommerce", "product-catalog.shop.svc.cluster.local")]
    [InlineData("product-catalog.shop.svc", "ecommerce", "product-catalog.shop.svc.cluster.local")]
    [InlineData("api.example.com", "ecommerce", "api.example.com")]
    public void Short_hosts_resolve_in_the_referring_namespace(string host, string ns, string expected) =>
        Assert.Equal(expected, IstioHosts.Resolve(host, ns));
}
