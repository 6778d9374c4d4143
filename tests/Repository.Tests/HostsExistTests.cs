using Repository.Tests.Model;
using Repository.Tests.Invariants;

namespace Repository.Tests;

public sealed class HostsExistTests
{
    [Fact]
    public async Task Every_routed_or_configured_host_is_an_existing_service()
    {
        var snapshot = await Real.SnapshotAsync();

        foreach (var unit in snapshot.Units)
        {
            Expect.None(HostsExist.Check(unit.Objects, snapshot.OpaqueNamespaces));
        }
    }

    [Fact]
    public void Misspelled_hosts_are_reported_outside_opaque_namespaces()
    {
        var violations = HostsExist.Check(Broken.Objects("hosts.yaml"), new HashSet<string> { "istio-system" }).ToList();
        var file = Broken.File("hosts.yaml");

        Expect.One(violations, file, "VirtualService ecommerce/product-catalog", "host prodcut-catalog.ecommerce.svc.cluster.local names Service ecommerce/prodcut-catalog, which does not exist", line: 23);
        Expect.One(violations, file, "DestinationRule ecommerce/product-catalog", "which does not exist", line: 33);
        Assert.Equal(2, violations.Count);
    }

    [Fact]
    public async Task Namespaces_filled_by_helm_layers_are_opaque()
    {
        var snapshot = await Real.SnapshotAsync();

        var charts = snapshot.EntryPoints.Where(snapshot.Graph.NeedsNetwork).SelectMany(e => snapshot.Graph.Closure(e)).SelectMany(l => l.HelmCharts).ToList();

        Assert.NotEmpty(charts);
        Assert.All(charts, chart => Assert.Contains(chart.Str("namespace")!, snapshot.OpaqueNamespaces));
    }
}
