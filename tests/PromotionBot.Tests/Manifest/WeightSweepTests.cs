using System.Text.RegularExpressions;
using PromotionBot.Manifest;
using Xunit;

namespace PromotionBot.Tests.Manifest;

/// <summary>Every weight split on every golden with explicit weights: only the digits after `weight:` may differ.</summary>
public sealed partial class WeightSweepTests
{
    [Theory]
    [InlineData("tutorial-canary", "product-catalog", null)]
    [InlineData("crlf-bom", "product-catalog", null)]
    [InlineData("weight-comments", "product-catalog", "primary")]
    [InlineData("flow-style", "product-catalog", null)]
    [InlineData("multi-document", "order-management", null)]
    [InlineData("several-routes-named", "product-catalog", "testers")]
    [InlineData("several-routes-default", "product-catalog", null)]
    [InlineData("rollback-to-zero", "order-management", null)]
    public void AnySplitChangesOnlyWeightDigits(string golden, string vs, string? route)
    {
        var before = ManifestText.Decode(GoldenFiles.Bytes($"{golden}.before.yaml"));
        var current = VirtualServiceFile.ReadWeights(golden, before, vs, route, "v1", "v2");
        var changed = 0;
        for (var canary = 0; canary <= 100; canary += 5)
        {
            if (canary == current.Of("v2"))
            {
                continue;
            }
            var after = VirtualServiceFile.WithWeights(golden, before, vs, route, "v1", "v2",
                new Dictionary<string, int> { ["v1"] = 100 - canary, ["v2"] = canary });

            Assert.Equal(WeightDigits().Replace(before, "weight: N"), WeightDigits().Replace(after, "weight: N"));
            var read = VirtualServiceFile.ReadWeights(golden, after, vs, route, "v1", "v2");
            Assert.Equal((100 - canary, canary), (read.Of("v1"), read.Of("v2")));
            changed++;
        }
        Assert.Equal(20, changed);
    }

    [GeneratedRegex(@"weight: (!!int )?[0-9]+")]
    private static partial Regex WeightDigits();
}
