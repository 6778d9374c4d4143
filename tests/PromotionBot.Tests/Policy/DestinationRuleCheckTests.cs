using PromotionBot.Policy;
using Xunit;

namespace PromotionBot.Tests.Policy;

/// <summary>
/// The policy/DestinationRule cross-check on real files: a base rule plus the canary component's patch next to the
/// policy, laid out like apps/ecommerce in this repository.
/// </summary>
public sealed class DestinationRuleCheckTests : IDisposable
{
    private const string PolicyPath = "apps/shop/components/catalog-canary/promotion-policy.yaml";
    private const string PatchPath = "apps/shop/components/catalog-canary/destination-rule.yaml";
    private const string BasePath = "apps/shop/base/destination-rules.yaml";

    private const string Base = """
        # v1 only; the canary component adds v2.
        apiVersion: networking.istio.io/v1
        kind: DestinationRule
        metadata:
          name: product-catalog
          namespace: shop
        spec:
          host: product-catalog.shop.svc.cluster.local
          subsets:
          - name: v1
            labels:
              version: v1
        """;

    private const string Patch = """
        apiVersion: networking.istio.io/v1
        kind: DestinationRule
        metadata:
          name: product-catalog
          namespace: shop
        spec:
          subsets:
          - name: v1
            labels:
              version: v1
          - name: v2
            labels:
              version: v2
          trafficPolicy:
            connectionPool:
              http:
                http1MaxPendingRequests: 10
            outlierDetection:
              consecutive5xxErrors: 5
        """;

    private readonly string root = Path.Combine(Path.GetTempPath(), "dr-check-" + Guid.NewGuid().ToString("N")[..10]);

    public void Dispose()
    {
        if (Directory.Exists(root))
        {
            Directory.Delete(root, recursive: true);
        }
    }

    private static string Policy(string circuitBreaking = "outlierEjection: true\n    connectionPoolOverflow: true", string canary = "v2") => $"""
        apiVersion: promotion.gitops.dev/v1alpha1
        kind: PromotionPolicy
        metadata:
          name: catalog
        spec:
          target:
            namespace: shop
            service: product-catalog
          virtualService:
            file: virtualservice.yaml
            name: product-catalog
          subsets:
            stable: v1
            canary: {canary}
          steps: [20, 50, 100]
          circuitBreaking:
            {circuitBreaking}
        """;

    private CanaryPolicy Write(string policy, string? patch = Patch, string? baseRule = Base)
    {
        foreach (var (path, text) in new[] { (PolicyPath, policy), (PatchPath, patch), (BasePath, baseRule) })
        {
            if (text is not null)
            {
                var full = Path.Combine(root, path);
                Directory.CreateDirectory(Path.GetDirectoryName(full)!);
                File.WriteAllText(full, text);
            }
        }

        return PolicyLoader.Parse(PolicyPath, policy);
    }

    [Fact]
    public void Base_rule_plus_the_canary_patch_with_both_features_is_consistent()
    {
        var policy = Write(Policy());

        Assert.Empty(DestinationRuleCheck.Problems(root, policy));
        DestinationRuleCheck.Verify(root, policy);
    }

    [Fact]
    public void Outlier_ejection_without_outlier_detection_names_the_policy_line_and_both_rule_files()
    {
        var policy = Write(Policy(), patch: Patch.Replace("\n    outlierDetection:\n      consecutive5xxErrors: 5", "", StringComparison.Ordinal));

        var e = Assert.Throws<RepoFileException>(() => DestinationRuleCheck.Verify(root, policy));

        Assert.Equal(PolicyPath, e.File);
        Assert.Equal(17, e.Line); // circuitBreaking.outlierEjection
        Assert.Contains($"DestinationRule shop/product-catalog ({PatchPath}:1, {BasePath}:2)", e.Message, StringComparison.Ordinal);
        Assert.Contains("no outlierDetection on subset 'v2'", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("connectionPool", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Connection_pool_overflow_without_a_connection_pool_is_reported_and_turning_the_check_off_clears_it()
    {
        var withoutPool = Patch.Replace("    connectionPool:\n      http:\n        http1MaxPendingRequests: 10\n", "", StringComparison.Ordinal);

        var problem = Assert.Single(DestinationRuleCheck.Problems(root, Write(Policy(), patch: withoutPool)));
        Assert.Equal(18, problem.At.Line);
        Assert.Contains("circuitBreaking.connectionPoolOverflow is on", problem.Message, StringComparison.Ordinal);

        Assert.Empty(DestinationRuleCheck.Problems(root, Write(Policy("outlierEjection: true\n    connectionPoolOverflow: false"), patch: withoutPool)));
    }

    [Fact]
    public void Features_on_the_canary_subset_count_and_on_the_stable_subset_do_not()
    {
        const string OnSubset = """
            apiVersion: networking.istio.io/v1
            kind: DestinationRule
            metadata:
              name: product-catalog
              namespace: shop
            spec:
              subsets:
              - name: v1
                labels:
                  version: v1
              - name: SUBSET
                labels:
                  version: SUBSET
                trafficPolicy:
                  portLevelSettings:
                  - port:
                      number: 3001
                    connectionPool:
                      tcp:
                        maxConnections: 10
                  outlierDetection:
                    consecutive5xxErrors: 3
            """;
        Assert.Empty(DestinationRuleCheck.Problems(root, Write(Policy(), patch: OnSubset.Replace("SUBSET", "v2", StringComparison.Ordinal))));

        var onStable = OnSubset.Replace("- name: v1\n    labels:\n      version: v1\n", "- name: v2\n    labels:\n      version: v2\n", StringComparison.Ordinal)
            .Replace("SUBSET", "v1", StringComparison.Ordinal);
        var problems = DestinationRuleCheck.Problems(root, Write(Policy(), patch: onStable));
        Assert.Equal(2, problems.Count);
        Assert.All(problems, p => Assert.Contains("on subset 'v2'", p.Message, StringComparison.Ordinal));
    }

    [Fact]
    public void Missing_canary_subset_is_reported_at_the_policy_subsets_key()
    {
        var problem = Assert.Single(DestinationRuleCheck.Problems(root, Write(Policy("outlierEjection: false\n    connectionPoolOverflow: false", canary: "v3"))));

        Assert.Equal(14, problem.At.Line);
        Assert.Contains($"canary subset 'v3' is not defined by DestinationRule shop/product-catalog ({PatchPath}:1, {BasePath}:2) (its subsets: v1, v2)", problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void No_rule_for_the_host_is_an_error_and_a_same_named_service_in_another_namespace_does_not_count()
    {
        var elsewhere = Base.Replace("namespace: shop", "namespace: other", StringComparison.Ordinal)
            .Replace("host: product-catalog.shop.svc.cluster.local", "host: product-catalog", StringComparison.Ordinal);

        var problem = Assert.Single(DestinationRuleCheck.Problems(root, Write(Policy(), patch: null, baseRule: elsewhere)));

        Assert.Contains("no DestinationRule for host product-catalog.shop.svc.cluster.local under apps/shop/", problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Symbolic_links_in_the_app_folder_are_not_followed()
    {
        Write(Policy());
        // A link back to the app folder (endless recursion if followed) and a rule reachable only through a link.
        Directory.CreateSymbolicLink(Path.Combine(root, "apps/shop/base/loop"), Path.Combine(root, "apps/shop"));
        var outside = Path.Combine(root, "outside");
        Directory.CreateDirectory(outside);
        File.WriteAllText(Path.Combine(outside, "rule.yaml"), Patch.Replace("consecutive5xxErrors: 5", "consecutive5xxErrors: 1", StringComparison.Ordinal));
        File.CreateSymbolicLink(Path.Combine(root, "apps/shop/base/linked-rule.yaml"), Path.Combine(outside, "rule.yaml"));

        var e = Assert.Throws<RepoFileException>(() => DestinationRuleCheck.Verify(root, Write(Policy(), patch: Patch.Replace("\n    outlierDetection:\n      consecutive5xxErrors: 5", "", StringComparison.Ordinal))));

        Assert.DoesNotContain("linked-rule.yaml", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("loop", e.Message, StringComparison.Ordinal);
        Assert.Empty(DestinationRuleCheck.Problems(root, Write(Policy())));
    }

    [Fact]
    public void The_policies_of_this_repository_load_with_their_destination_rules()
    {
        var repo = RepositoryRoot();
        var policies = PolicyLoader.Discover(repo);

        Assert.Equal(2, policies.Count);
        foreach (var path in policies)
        {
            var policy = PolicyLoader.Load(repo, path); // throws on any inconsistency
            Assert.Empty(DestinationRuleCheck.Problems(repo, policy));
        }
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "GitOpsPromotion.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("GitOpsPromotion.sln not found above " + AppContext.BaseDirectory);
    }

    [Fact]
    public void A_subset_selecting_another_version_label_than_the_policy_reads_is_named()
    {
        var relabelled = Patch.Replace("  - name: v2\n    labels:\n      version: v2", "  - name: v2\n    labels:\n      version: \"2.0.0\"", StringComparison.Ordinal);
        Assert.Contains("version: \"2.0.0\"", relabelled, StringComparison.Ordinal);

        // Plain "canary: v2" reads destination_version="v2", but the v2 subset selects version 2.0.0.
        var problem = Assert.Single(DestinationRuleCheck.Problems(root, Write(Policy(), patch: relabelled)));
        Assert.Equal(14, problem.At.Line);
        Assert.Contains("canary subset 'v2'", problem.Message, StringComparison.Ordinal);
        Assert.Contains("version: 2.0.0", problem.Message, StringComparison.Ordinal);
        Assert.Contains("subsets.canary: {name: v2, version: \"2.0.0\"}", problem.Message, StringComparison.Ordinal);

        // Mapping the subset to its label clears it; mapping it to a third value names the mismatch.
        Assert.Empty(DestinationRuleCheck.Problems(root, Write(Policy(canary: "{name: v2, version: \"2.0.0\"}"), patch: relabelled)));
        var wrong = Assert.Single(DestinationRuleCheck.Problems(root, Write(Policy(canary: "{name: v2, version: \"2.1.0\"}"), patch: relabelled)));
        Assert.Contains("maps subset 'v2' to version '2.1.0'", wrong.Message, StringComparison.Ordinal);
    }
}
