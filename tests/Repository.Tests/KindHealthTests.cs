using Repository.Tests.Invariants;

namespace Repository.Tests;

public sealed class KindHealthTests
{
    [Fact]
    public async Task Nothing_rendered_for_kind_would_stay_degraded_or_progressing()
    {
        var snapshot = await Real.SnapshotAsync();

        Assert.Contains(snapshot.Units, u => u.Name == "clusters/kind");
        foreach (var unit in snapshot.Units)
        {
            Assert.Contains(unit.Objects, o => o.Kind == "Deployment");
            Expect.None(KindHealth.Check(unit.Objects));
        }
    }

    [Fact]
    public void Autoscalers_load_balancers_unprovisioned_claims_and_missing_secrets_are_reported()
    {
        var violations = KindHealth.Check(Broken.Objects("kind-health.yaml")).ToList();
        var file = Broken.File("kind-health.yaml");

        Expect.One(violations, file, "HorizontalPodAutoscaler istio-system/istiod", "counts as Degraded", line: 4);
        Expect.One(violations, file, "Service istio-system/istio-ingressgateway", "type LoadBalancer stays Progressing", line: 20);
        Expect.One(violations, file, "PersistentVolumeClaim ecommerce/cloud-disk", "storageClassName 'gp3' does not exist on kind");
        Expect.One(violations, file, "Deployment ecommerce/shop", "env TOKEN needs Secret ecommerce/shop-token");
        Expect.One(violations, file, "Deployment ecommerce/shop", "envFrom needs Secret ecommerce/shop-env");
        Expect.One(violations, file, "Deployment ecommerce/shop", "volume 'tls' needs Secret ecommerce/shop-tls");
        Expect.One(violations, file, "StatefulSet ecommerce/db", "volumeClaimTemplate 'data': storageClassName \"\" disables dynamic provisioning");
        // The NodePort Service, the default-class claim, optional references and the created Secret are fine.
        Assert.Equal(7, violations.Count);
    }
}
