using PromotionBot.Policy;
using Xunit;

namespace PromotionBot.Tests.Policy;

public sealed class PolicyLoaderTests
{
    private const string Path = "apps/shop/canary/promotion-policy.yaml";

    internal const string Valid = """
        apiVersion: promotion.gitops.dev/v1alpha1
        kind: PromotionPolicy
        metadata:
          name: catalog
        spec:
          target:
            namespace: shop
            service: product-catalog
          virtualService:
            file: ../routes/virtualservice.yaml
            name: product-catalog
          subsets:
            stable: v1
            canary: v2
          steps: [10, 50, 100]
          analysis:
            window: 5m
            interval: 30s
            failureThreshold: 4
            minRequests: 250
            maxErrorRate: 0.02
            maxP99LatencyMs: 800
            maxStaleness: 90s
          circuitBreaking:
            outlierEjection: true
            connectionPoolOverflow: false
        """;

    [Fact]
    public void Parses_every_field_and_resolves_the_virtual_service_path_relative_to_the_policy()
    {
        var p = PolicyLoader.Parse(Path, Valid);

        Assert.Equal("catalog", p.Name);
        Assert.Equal("shop", p.Namespace);
        Assert.Equal("product-catalog", p.Service);
        Assert.Equal("product-catalog.shop.svc.cluster.local", p.Fqdn);
        Assert.Equal("apps/shop/routes/virtualservice.yaml", p.VirtualService.File);
        Assert.Equal("product-catalog", p.VirtualService.Name);
        Assert.Null(p.VirtualService.Route);
        Assert.Equal(("v1", "v2"), (p.Stable, p.Canary));
        Assert.Equal([10, 50, 100], p.Steps);
        Assert.Equal(TimeSpan.FromMinutes(5), p.Analysis.Window);
        Assert.Equal(TimeSpan.FromSeconds(30), p.Analysis.Interval);
        Assert.Equal(4, p.Analysis.FailureThreshold);
        Assert.Equal(250, p.Analysis.MinRequests);
        Assert.Equal(0.02, p.Analysis.MaxErrorRate);
        Assert.Equal(800, p.Analysis.MaxP99LatencyMs);
        Assert.Equal(TimeSpan.FromSeconds(90), p.Analysis.MaxStaleness);
        Assert.True(p.CircuitBreaking.OutlierEjection);
        Assert.False(p.CircuitBreaking.ConnectionPoolOverflow);
    }

    [Fact]
    public void Omitted_analysis_takes_careful_defaults()
    {
        var text = string.Join('\n', Valid.Split('\n').TakeWhile(l => !l.StartsWith("  analysis:", StringComparison.Ordinal)));
        var p = PolicyLoader.Parse(Path, text);

        Assert.Equal(TimeSpan.FromMinutes(10), p.Analysis.Window);
        Assert.Equal(100, p.Analysis.MinRequests);
        Assert.Equal(0.01, p.Analysis.MaxErrorRate);
        Assert.Equal(3, p.Analysis.FailureThreshold);
        Assert.True(p.CircuitBreaking.ConnectionPoolOverflow);
    }

    [Theory]
    [InlineData("kind: PromotionPolicy", "kind: Policy", 2, "kind must be PromotionPolicy")]
    [InlineData("    service: product-catalog\n", "", 7, "missing required field 'spec.target.service'")]
    [InlineData("steps: [10, 50, 100]", "steps: [10, 50, 90]", 15, "the last step must be 100")]
    [InlineData("steps: [10, 50, 100]", "steps: [50, 10, 100]", 15, "strictly ascending")]
    [InlineData("steps: [10, 50, 100]", "steps: [10, x, 100]", 15, "expected an integer, got 'x'")]
    [InlineData("steps: [10, 50, 100]", "steps: []", 15, "steps must not be empty")]
    [InlineData("maxErrorRate: 0.02", "maxErrorRate: 2", 21, "between 0 and 1")]
    [InlineData("maxErrorRate: 0.02", "maxErrorRate: lots", 21, "expected a number, got 'lots'")]
    [InlineData("window: 5m", "window: five", 17, "expected a positive duration")]
    [InlineData("minRequests: 250", "minRequests: 0", 20, "never promotes without data")]
    [InlineData("failureThreshold: 4", "failureThreshold: 40", 18, "must fit in the window")]
    [InlineData("canary: v2", "canary: v1", 14, "must differ")]
    [InlineData("outlierEjection: true", "outlierEjection: maybe", 25, "expected true or false")]
    [InlineData("file: ../routes/virtualservice.yaml", "file: ../../../../etc/passwd", 10, "leaves the repository")]
    [InlineData("    namespace: shop", "    namespace: [shop", -1, "invalid YAML: unterminated flow")]
    [InlineData("    namespace: shop", "   namespace: shop", 0, "invalid YAML")]
    public void Malformed_policies_are_reported_with_file_and_line(string find, string replace, int line, string problem)
    {
        var text = Valid.Replace(find, replace, StringComparison.Ordinal);
        Assert.NotEqual(Valid, text);

        var e = Assert.Throws<RepoFileException>(() => PolicyLoader.Parse(Path, text));

        Assert.Contains(problem, e.Message, StringComparison.Ordinal);
        Assert.StartsWith(Path + ":", e.Message, StringComparison.Ordinal);
        if (line > 0)
        {
            Assert.Equal(line, e.Line);
        }
        else if (line == 0)
        {
            Assert.True(e.Line > 0, e.Message);
        }
    }

    [Fact]
    public void Two_documents_are_rejected()
    {
        var e = Assert.Throws<RepoFileException>(() => PolicyLoader.Parse(Path, Valid + "\n---\nfoo: bar\n"));
        Assert.Contains("exactly one YAML document, found 2", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Discovery_finds_policies_only_under_apps_in_a_stable_order()
    {
        var root = Directory.CreateTempSubdirectory("policies-").FullName;
        try
        {
            foreach (var dir in new[] { "apps/b/canary", "apps/a/canary", "infrastructure/x" })
            {
                Directory.CreateDirectory(System.IO.Path.Combine(root, dir));
                File.WriteAllText(System.IO.Path.Combine(root, dir, PolicyLoader.FileName), Valid);
            }

            Assert.Equal(["apps/a/canary/promotion-policy.yaml", "apps/b/canary/promotion-policy.yaml"], PolicyLoader.Discover(root));
        }
        finally
        {
            Directory.Delete(root, true);
        }
    }

    [Fact]
    public void Argo_cd_application_is_optional_and_must_be_a_kubernetes_name()
    {
        var withApp = Valid.Replace("  steps: [10, 50, 100]", "  steps: [10, 50, 100]\n  argocd:\n    application: shop-kind", StringComparison.Ordinal);
        var bad = withApp.Replace("shop-kind", "../shop", StringComparison.Ordinal);

        Assert.Null(PolicyLoader.Parse(Path, Valid).ArgoCdApplication);
        Assert.Equal("shop-kind", PolicyLoader.Parse(Path, withApp).ArgoCdApplication);
        var error = Assert.Throws<RepoFileException>(() => PolicyLoader.Parse(Path, bad));
        Assert.Contains("argocd.application", error.Message, StringComparison.Ordinal);
    }
}
