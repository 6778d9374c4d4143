using PromotionBot.Manifest;
using Xunit;

namespace PromotionBot.Tests.Manifest;

public sealed class WithWeightsTests
{
    private const string Path = "apps/ecommerce/components/product-catalog-canary/virtualservice.yaml";

    private static string Tutorial => ManifestText.Decode(GoldenFiles.Bytes("tutorial-canary.before.yaml"));

    private static Dictionary<string, int> W(int v1, int v2) => new() { ["v1"] = v1, ["v2"] = v2 };

    [Fact]
    public void ApplyingTheSameWeightsTwiceIsAnErrorNotAnEmptyChange()
    {
        var once = VirtualServiceFile.WithWeights(Path, Tutorial, "product-catalog", null, "v1", "v2", W(50, 50));

        var e = Assert.Throws<RepoFileException>(() =>
            VirtualServiceFile.WithWeights(Path, once, "product-catalog", null, "v1", "v2", W(50, 50)));

        Assert.Contains("nothing would change", e.Message, StringComparison.Ordinal);
        Assert.StartsWith($"{Path}:27:", e.Message, StringComparison.Ordinal); // the http route entry
    }

    [Fact]
    public void AnImplicitZeroRequestedAsZeroIsNoChange()
    {
        var text = ManifestText.Decode(GoldenFiles.Bytes("implicit-weight.before.yaml"));

        var e = Assert.Throws<RepoFileException>(() =>
            VirtualServiceFile.WithWeights(Path, text, "product-catalog", null, "v1", "v2", W(100, 0)));

        Assert.Contains("nothing would change", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void StepsThroughAPromotionAndRollbackChangingOnlyTheTwoWeightLines()
    {
        var original = Tutorial;
        var lines = original.Split('\n');
        var weightLines = VirtualServiceFile.ReadWeights(Path, original, "product-catalog", null, "v1", "v2")
            .Weights.Select(w => w.Line - 1).ToHashSet();
        var text = original;
        foreach (var canary in new[] { 50, 100, 0, 20 })
        {
            text = VirtualServiceFile.WithWeights(Path, text, "product-catalog", null, "v1", "v2", W(100 - canary, canary));

            var now = text.Split('\n');
            Assert.Equal(lines.Length, now.Length);
            for (var i = 0; i < lines.Length; i++)
            {
                if (!weightLines.Contains(i))
                {
                    Assert.Equal(lines[i], now[i]);
                }
            }
            var read = VirtualServiceFile.ReadWeights(Path, text, "product-catalog", null, "v1", "v2");
            Assert.Equal((100 - canary, canary), (read.Of("v1"), read.Of("v2")));
            // Setting 0 keeps the destination with an explicit `weight: 0`.
            Assert.All(read.Weights, w => Assert.NotEqual(0, w.Line));
        }
        Assert.Equal(original, text); // back at 80/20: byte-identical to where it started
    }

    [Fact]
    public void SubsetsNotNamedKeepTheirWeight()
    {
        var text = ReadWeightsTests.Vs(
            "  - route:\n" +
            "    - {destination: {host: pc, subset: v1}, weight: 70}\n" +
            "    - {destination: {host: pc, subset: v2}, weight: 20}\n" +
            "    - {destination: {host: pc, subset: v3}, weight: 10}  # a third subset the bot leaves alone\n");

        var edited = VirtualServiceFile.WithWeights(Path, text, "pc", null, "v1", "v2", new Dictionary<string, int> { ["v1"] = 40, ["v2"] = 50 });

        var read = VirtualServiceFile.ReadWeights(Path, edited, "pc", null, "v1", "v2");
        Assert.Equal([("v1", 40), ("v2", 50), ("v3", 10)], read.Weights.Select(w => (w.Subset, w.Weight)));
    }

    [Theory]
    [InlineData(60, 60)]
    [InlineData(120, -20)]
    public void RequestedWeightsMustBePercentagesSummingTo100(int v1, int v2)
    {
        Assert.Throws<ArgumentException>(() =>
            VirtualServiceFile.WithWeights(Path, Tutorial, "product-catalog", null, "v1", "v2", W(v1, v2)));
    }

    [Fact]
    public void AWeightForASubsetTheRouteLacksIsRefused()
    {
        var e = Assert.Throws<RepoFileException>(() => VirtualServiceFile.WithWeights(Path, Tutorial, "product-catalog", null, "v1", "v2",
            new Dictionary<string, int> { ["v1"] = 50, ["v2"] = 40, ["v3"] = 10 }));

        Assert.Contains("no such destination", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AnInvalidFileIsRefusedBeforeAnyEdit()
    {
        var broken = Tutorial.Replace("weight: 20 #", "weight: 30 #", StringComparison.Ordinal);

        var e = Assert.Throws<RepoFileException>(() =>
            VirtualServiceFile.WithWeights(Path, broken, "product-catalog", null, "v1", "v2", W(50, 50)));

        Assert.Contains("sum to 110", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ABomSurvivesAndIsNotMistakenForContent()
    {
        var text = "\uFEFF" + Tutorial;

        var edited = VirtualServiceFile.WithWeights(Path, text, "product-catalog", null, "v1", "v2", W(50, 50));

        Assert.Equal('\uFEFF', edited[0]);
        Assert.Equal(VirtualServiceFile.WithWeights(Path, Tutorial, "product-catalog", null, "v1", "v2", W(50, 50)), edited[1..]);
    }
}
