using Repository.Tests.Invariants;

namespace Repository.Tests;

public sealed class StrictMtlsTests
{
    [Fact]
    public async Task Every_injected_namespace_is_covered_by_strict_mtls()
    {
        var snapshot = await Real.SnapshotAsync();

        foreach (var unit in snapshot.Units)
        {
            Assert.NotEmpty(StrictMtls.InjectedNamespaces(unit.Objects));
            Expect.None(StrictMtls.Check(unit.Objects));
        }
    }

    [Fact]
    public void Injected_namespace_without_strict_policy_and_weakening_policy_are_reported()
    {
        var violations = StrictMtls.Check(Broken.Objects("mtls.yaml")).ToList();
        var file = Broken.File("mtls.yaml");

        Expect.One(violations, file, "Namespace default/shop", "namespace shop has sidecar injection but no PeerAuthentication with mtls.mode STRICT", line: 3);
        Expect.One(violations, file, "PeerAuthentication payments/legacy-client", "mtls mode PERMISSIVE weakens STRICT mTLS", line: 41);
        Assert.Equal(2, violations.Count); // tools has no sidecars, payments' namespace policy is STRICT
    }

    [Fact]
    public void Mesh_wide_strict_policy_in_the_root_namespace_covers_every_injected_namespace()
    {
        var objects = Broken.Objects("mtls.yaml").Where(o => o.Name != "legacy-client")
            .Concat(Loading.YamlDocuments.Objects("""
                apiVersion: security.istio.io/v1
                kind: PeerAuthentication
                metadata: {name: default, namespace: istio-system}
                spec: {mtls: {mode: STRICT}}
                """, "mesh.yaml"))
            .ToList();

        Expect.None(StrictMtls.Check(objects));
    }
}
