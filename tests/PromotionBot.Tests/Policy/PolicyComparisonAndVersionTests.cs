using PromotionBot;
using PromotionBot.Policy;
using Xunit;

namespace PromotionBot.Tests.Policy;

/// <summary>analysis.comparison and the subset → version-label mapping: defaults, explicit values, and rejected values with their line.</summary>
public sealed class PolicyComparisonAndVersionTests
{
    private const string Path = "apps/shop/canary/promotion-policy.yaml";

    private static string With(string analysis = "", string stable = "v1", string canary = "v2") => $"""
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
            stable: {stable}
            canary: {canary}
          steps: [10, 50, 100]
          analysis:
            window: 5m
        {analysis}
        """;

    [Fact]
    public void Comparison_is_on_by_default_with_half_a_point_at_99_percent()
    {
        var c = PolicyLoader.Parse(Path, With()).Analysis.Comparison;
        Assert.Equal(new ComparisonSettings(true, 0.005, 0.99, null), c);
    }

    [Fact]
    public void Comparison_settings_are_read()
    {
        var c = PolicyLoader.Parse(Path, With("""
                comparison:
                  enabled: true
                  maxErrorRateIncrease: 0.002
                  confidence: 0.95
                  maxLatencyIncreaseRatio: 1.25
            """)).Analysis.Comparison;
        Assert.Equal(new ComparisonSettings(true, 0.002, 0.95, 1.25), c);
        Assert.False(PolicyLoader.Parse(Path, With("    comparison: {enabled: false}")).Analysis.Comparison.Enabled);
    }

    [Theory]
    [InlineData("maxErrorRateIncrease: 1.5", "maxErrorRateIncrease")]
    [InlineData("confidence: 1", "confidence")]
    [InlineData("confidence: 0.2", "confidence")]
    [InlineData("maxLatencyIncreaseRatio: 0.8", "maxLatencyIncreaseRatio")]
    public void Out_of_range_comparison_values_name_their_line(string setting, string key)
    {
        var text = With($"    comparison:\n      {setting}");
        var e = Assert.Throws<RepoFileException>(() => PolicyLoader.Parse(Path, text));
        Assert.Contains(key, e.Message, StringComparison.Ordinal);
        Assert.Contains($"{Path}:{Array.FindIndex(text.Split('\n'), l => l.Contains(setting, StringComparison.Ordinal)) + 1}:", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_plain_subset_name_is_also_the_version_label()
    {
        var p = PolicyLoader.Parse(Path, With());
        Assert.Equal(("v1", "v2"), (p.StableVersion, p.CanaryVersion));
    }

    [Fact]
    public void A_subset_can_map_to_a_different_version_label()
    {
        var p = PolicyLoader.Parse(Path, With(canary: "{name: v2, version: \"2.0.0\"}"));
        Assert.Equal("v2", p.Canary);
        Assert.Equal("2.0.0", p.CanaryVersion);
        Assert.Equal("v1", p.StableVersion);
    }

    [Fact]
    public void Mapped_subsets_must_still_differ_in_version()
    {
        var e = Assert.Throws<RepoFileException>(() => PolicyLoader.Parse(Path, With(stable: "{name: v1, version: \"1\"}", canary: "{name: v2, version: \"1\"}")));
        Assert.Contains("different version labels", e.Message, StringComparison.Ordinal);
    }
}
