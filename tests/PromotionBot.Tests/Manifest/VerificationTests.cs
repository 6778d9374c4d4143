using PromotionBot.Manifest;
using Xunit;

namespace PromotionBot.Tests.Manifest;

/// <summary>
/// The re-parse check after splicing should never fire in practice; the internal tamper seam alters the spliced text
/// to prove it would catch a splice that changed more, or other, than the weights.
/// </summary>
public sealed class VerificationTests
{
    private const string Path = "vs.yaml";

    public static TheoryData<string, string> Tampering => new()
    {
        { "namespace: ecommerce\nspec:\n  hosts", "namespace: shop\nspec:\n  hosts" }, // another value changed
        { "host: product-catalog  #", "hostname: product-catalog  #" }, // a key renamed
        { "  - product-catalog\n", "  - \"product-catalog\"\n" }, // quoting changed
        { "weight: 50 # v2", "weight: 51 # v2" }, // not the requested weight
        { "  http:\n", "  http: [\n" }, // no longer YAML
        { "---\n", "\n" }, // a document lost
    };

    [Theory]
    [MemberData(nameof(Tampering))]
    public void ASpliceThatChangedAnythingElseIsRejected(string find, string replace)
    {
        var text = ManifestText.Decode(GoldenFiles.Bytes("tutorial-canary.before.yaml"));
        var weights = new Dictionary<string, int> { ["v1"] = 50, ["v2"] = 50 };

        var e = Assert.Throws<RepoFileException>(() => VirtualServiceFile.WithWeights(Path, text, "product-catalog", null, "v1", "v2",
            weights, tamper: spliced =>
            {
                Assert.Contains(find, spliced, StringComparison.Ordinal); // the tampering really happens
                return spliced.Replace(find, replace, StringComparison.Ordinal);
            }));

        Assert.Contains("verification failed", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AnUntamperedSplicePassesTheSameCheck()
    {
        var text = ManifestText.Decode(GoldenFiles.Bytes("tutorial-canary.before.yaml"));
        var weights = new Dictionary<string, int> { ["v1"] = 50, ["v2"] = 50 };

        var edited = VirtualServiceFile.WithWeights(Path, text, "product-catalog", null, "v1", "v2", weights, tamper: s => s);

        Assert.NotEqual(text, edited);
    }
}
