using Repository.Tests.Invariants;

namespace Repository.Tests;

public sealed class PromotionPoliciesTests
{
    [Fact]
    public async Task Every_policy_names_its_virtual_service_and_is_never_applied()
    {
        var snapshot = await Real.SnapshotAsync();

        Assert.NotEmpty(PromotionPolicies.Files(snapshot.Root));
        Expect.None(PromotionPolicies.Check(snapshot.Root, snapshot.Graph));
    }

    [Fact]
    public async Task Policy_problems_are_reported_with_file_and_policy_name()
    {
        var repo = await Broken.RepositoryAsync();
        var violations = PromotionPolicies.Check(repo.Root, repo.Graph).ToList();

        Expect.One(violations, "apps/web/canary/promotion-policy.yaml", "PromotionPolicy web",
            "VirtualService web/web (apps/web/canary/virtualservice.yaml:1) has no http route with destinations for subsets 'v1' and 'v3'", line: 11);
        Expect.One(violations, "apps/web/canary-missing-vs/promotion-policy.yaml", "PromotionPolicy web-missing", "virtualService.file 'vs.yaml' does not exist", line: 11);
        Expect.One(violations, "apps/web/canary/kustomization.yaml", "Kustomization apps/web/canary", "lists promotion-policy.yaml under resources", line: 6);
        Expect.One(violations, "apps/web/canary-unlisted/promotion-policy.yaml", "PromotionPolicy web-unlisted", "apps/web/canary-unlisted/virtualservice.yaml is listed in no kustomization", line: 11);
        Assert.Equal(4, violations.Count);
    }
}
