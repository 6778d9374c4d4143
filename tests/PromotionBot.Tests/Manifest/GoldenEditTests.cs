using PromotionBot.Manifest;
using Xunit;

namespace PromotionBot.Tests.Manifest;

/// <summary>
/// WithWeights on every Golden/&lt;case&gt;.before.yaml must produce Golden/&lt;case&gt;.after.yaml byte for byte
/// (bytes, not text, so CRLF line endings and the BOM are part of the proof).
/// </summary>
public sealed class GoldenEditTests
{
    [Theory]
    [InlineData("tutorial-canary", "product-catalog", null, "v1=50,v2=50")]
    [InlineData("crlf-bom", "product-catalog", null, "v1=50,v2=50")]
    [InlineData("weight-comments", "product-catalog", "primary", "v1=20,v2=80")]
    [InlineData("flow-style", "product-catalog", null, "v1=0,v2=100")]
    [InlineData("multi-document", "order-management", null, "v1=50,v2=50")]
    [InlineData("several-routes-named", "product-catalog", "primary", "v1=50,v2=50")]
    [InlineData("several-routes-default", "product-catalog", null, "v1=20,v2=80")]
    [InlineData("implicit-weight", "product-catalog", null, "v1=80,v2=20")]
    [InlineData("crlf-implicit-weight", "product-catalog", null, "v1=80,v2=20")]
    [InlineData("implicit-weight-flow", "product-catalog", null, "v1=80,v2=20")]
    [InlineData("implicit-weight-eof", "product-catalog", null, "v1=80,v2=20")]
    [InlineData("rollback-to-zero", "order-management", null, "v1=100,v2=0")]
    [InlineData("weight-first-four-spaces", "order-management", "main", "v1=60,v2=40")]
    public void WithWeightsTurnsBeforeIntoAfterByteForByte(string golden, string vs, string? route, string weights)
    {
        var before = ManifestText.Decode(GoldenFiles.Bytes($"{golden}.before.yaml"));
        var expected = GoldenFiles.Bytes($"{golden}.after.yaml");

        var edited = VirtualServiceFile.WithWeights($"{golden}.yaml", before, vs, route, "v1", "v2", Parse(weights));

        Assert.Equal(expected, ManifestText.Encode(edited));
        // The edit is what the reader then sees.
        var read = VirtualServiceFile.ReadWeights($"{golden}.yaml", edited, vs, route, "v1", "v2");
        Assert.Equal(Parse(weights), read.Weights.ToDictionary(w => w.Subset, w => w.Weight));
    }

    [Fact]
    public void EveryGoldenCaseHasBeforeAfterAndInlineData()
    {
        var befores = Directory.GetFiles(GoldenFiles.Dir, "*.before.yaml").Select(f => Path.GetFileName(f)[..^".before.yaml".Length]).Order().ToList();
        var afters = Directory.GetFiles(GoldenFiles.Dir, "*.after.yaml").Select(f => Path.GetFileName(f)[..^".after.yaml".Length]).Order().ToList();
        var cases = typeof(GoldenEditTests).GetMethod(nameof(WithWeightsTurnsBeforeIntoAfterByteForByte))!
            .GetCustomAttributes(typeof(InlineDataAttribute), false).Cast<InlineDataAttribute>()
            .Select(a => (string)a.GetData(null!).Single()[0]).Order().ToList();
        Assert.NotEmpty(befores);
        Assert.Equal(befores, afters);
        Assert.Equal(befores, cases);
    }

    [Fact]
    public void CrlfAndBomGoldensReallyHoldCrlfAndBom()
    {
        // Guards against git or an editor normalising the fixtures, which would hollow out the byte comparison.
        var bytes = GoldenFiles.Bytes("crlf-bom.before.yaml");
        Assert.Equal(new byte[] { 0xEF, 0xBB, 0xBF }, bytes[..3]);
        var text = ManifestText.Decode(bytes);
        Assert.Equal(text.Split('\n').Length - 1, text.Split("\r\n").Length - 1);
        Assert.Contains("\r\n", ManifestText.Decode(GoldenFiles.Bytes("crlf-implicit-weight.after.yaml")), StringComparison.Ordinal);
    }

    internal static Dictionary<string, int> Parse(string weights) =>
        weights.Split(',').Select(p => p.Split('=')).ToDictionary(p => p[0], p => int.Parse(p[1], System.Globalization.CultureInfo.InvariantCulture));
}
