using Repository.Tests.Invariants;
using Repository.Tests.Loading;

namespace Repository.Tests;

public sealed class CanaryDestinationRulesTests
{
    [Fact]
    public async Task Every_policy_matches_the_destination_rule_its_canary_is_deployed_with()
    {
        var snapshot = await Real.SnapshotAsync();
        var policies = PromotionPolicies.Files(snapshot.Root).ToList();

        Assert.NotEmpty(policies);
        foreach (var unit in snapshot.Units)
        {
            Expect.None(CanaryDestinationRules.Check(policies, snapshot.Root, unit.Objects));
        }
    }

    [Fact]
    public void Circuit_breaking_without_its_envoy_feature_and_missing_subsets_name_both_files()
    {
        var objects = Broken.Objects("canary-policy/destination-rule.yaml");
        var policies = new[] { "canary-policy/outlier", "canary-policy/subset" }.Select(d => Broken.FullPath($"{d}/promotion-policy.yaml"));

        var violations = CanaryDestinationRules.Check(policies, RepoRoot.Path, objects).ToList();

        var outlier = Expect.One(violations, Broken.File("canary-policy/outlier/promotion-policy.yaml"), "PromotionPolicy product-catalog",
            "circuitBreaking.outlierEjection is on, but DestinationRule ecommerce/product-catalog", line: 19);
        Assert.Contains(Broken.File("canary-policy/destination-rule.yaml") + ":2", outlier.Message, StringComparison.Ordinal);
        var subset = Expect.One(violations, Broken.File("canary-policy/subset/promotion-policy.yaml"), "PromotionPolicy catalog-v3",
            "canary subset 'v3' is not defined by DestinationRule ecommerce/product-catalog", line: 15);
        Assert.Contains(Broken.File("canary-policy/destination-rule.yaml"), subset.Message, StringComparison.Ordinal);
        Assert.Equal(2, violations.Count); // the connection pool exists, and the v3 policy turned both checks off
    }
}
