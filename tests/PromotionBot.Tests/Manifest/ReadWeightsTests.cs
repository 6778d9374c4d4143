using PromotionBot.Manifest;
using Xunit;

namespace PromotionBot.Tests.Manifest;

public sealed class ReadWeightsTests
{
    private const string Path = "apps/ecommerce/components/product-catalog-canary/virtualservice.yaml";

    [Fact]
    public void ReadsTheTutorialShapedCanaryWithLinesAndColumnsOfTheValues()
    {
        var text = ManifestText.Decode(GoldenFiles.Bytes("tutorial-canary.before.yaml"));

        var weights = VirtualServiceFile.ReadWeights(Path, text, "product-catalog", null, "v1", "v2");

        Assert.Equal(Path, weights.File);
        Assert.Equal(["v1", "v2"], weights.Weights.Select(w => w.Subset));
        Assert.Equal(80, weights.Of("v1"));
        Assert.Equal(20, weights.Of("v2"));
        var lines = text.Split('\n');
        foreach (var w in weights.Weights)
        {
            // The reported position points at the value itself, so a human (or a PR comment) can quote it.
            Assert.StartsWith($"{w.Weight}", lines[w.Line - 1][(w.Column - 1)..], StringComparison.Ordinal);
            Assert.Contains("weight:", lines[w.Line - 1], StringComparison.Ordinal);
        }
    }

    [Fact]
    public void PositionsStayRightAfterABomAndWithCrlf()
    {
        var text = ManifestText.Decode(GoldenFiles.Bytes("crlf-bom.before.yaml"));
        var plain = ManifestText.Decode(GoldenFiles.Bytes("tutorial-canary.before.yaml"));

        var crlf = VirtualServiceFile.ReadWeights(Path, text, "product-catalog", null, "v1", "v2");
        var lf = VirtualServiceFile.ReadWeights(Path, plain, "product-catalog", null, "v1", "v2");

        Assert.Equal(lf.Weights, crlf.Weights);
    }

    [Fact]
    public void AMissingWeightIsImplicitZeroBesideOthersAndHasNoLine()
    {
        var text = ManifestText.Decode(GoldenFiles.Bytes("implicit-weight.before.yaml"));

        var weights = VirtualServiceFile.ReadWeights(Path, text, "product-catalog", null, "v1", "v2");

        Assert.Equal(new SubsetWeight("v2", 0, 0, 0), weights.Weights[1]);
        Assert.Equal(100, weights.Of("v1"));
    }

    [Fact]
    public void SelectsTheNamedRouteOrTheOnlyRouteNamingBothSubsets()
    {
        var named = ManifestText.Decode(GoldenFiles.Bytes("several-routes-named.before.yaml"));
        var byDefault = ManifestText.Decode(GoldenFiles.Bytes("several-routes-default.before.yaml"));

        Assert.Equal(20, VirtualServiceFile.ReadWeights(Path, named, "product-catalog", "primary", "v1", "v2").Of("v2"));
        Assert.Equal(100, VirtualServiceFile.ReadWeights(Path, named, "product-catalog", "testers", "v1", "v2").Of("v2"));
        Assert.Equal(50, VirtualServiceFile.ReadWeights(Path, byDefault, "product-catalog", null, "v1", "v2").Of("v2"));
    }

    [Fact]
    public void FindsTheVirtualServiceByNameAmongSeveralDocuments()
    {
        var text = ManifestText.Decode(GoldenFiles.Bytes("multi-document.before.yaml"));

        var weights = VirtualServiceFile.ReadWeights(Path, text, "order-management", null, "v1", "v2");

        Assert.Equal(26, weights.Weights[0].Line); // the second document's first weight, counted from the top of the file
    }

    public static TheoryData<string, string, int, string> Errors => new()
    {
        // case, file text, expected line, expected problem fragment
        { "syntax", Vs("  - route: [{destination: {host: pc, subset: v1}, weight: 80}\n    name: x: y\n"), 8, "invalid YAML" },
        { "unclosed flow", Vs("  - route: [{destination: {host: pc, subset: v1}\n    x: 1\n"), 8, "invalid YAML" },
        { "route name", Vs(Route("primary", 80, 20)), 7, "no http route named 'canary' (route names: primary)" },
        { "route name among unnamed", Vs(Route("primary", 80, 20) + Route(null, 80, 20)), 7, "(route names: primary, (unnamed))" },
        { "no route with both", Vs(Route("primary", 100, null, subset2: "v3")), 7, "no http route whose destinations name both subsets 'v1' and 'v2'" },
        { "ambiguous", Vs(Route(null, 80, 20) + Route(null, 50, 50)), 19, "2 http routes naming both subsets" },
        { "subset missing", Vs(Route("canary", 100, 0, subset2: "v3")), 8, "subset 'v2' is missing" },
        { "not an integer", Vs(Route(null, 80, "twenty")), 17, "'twenty', not an integer" },
        { "fraction", Vs(Route(null, 80, "20.0")), 17, "not an integer" },
        { "quoted", Vs(Route(null, 80, "\"20\"")), 17, "quoted" },
        { "negative", Vs(Route(null, 100, -20)), 17, "cannot be negative" },
        { "over 100", Vs(Route(null, 120, 0)), 13, "at most 100" },
        { "octal-looking", Vs(Route(null, 80, "020")), 17, "leading zero" },
        { "sum", Vs(Route(null, 70, 20)), 8, "sum to 90 (v1=70, v2=20), they must sum to 100" },
        { "implicit sum", Vs(Route(null, 80, null)), 8, "sum to 80 (v1=80, v2=0)" },
        { "duplicate weight", Vs(Route(null, 80, 20).Replace("weight: 20\n", "weight: 20\n      weight: 30\n", StringComparison.Ordinal)), 18, "duplicate key 'weight'" },
        { "other host", Vs(Route(null, 80, 20).Replace("host: pc\n        subset: v2", "host: other\n        subset: v2", StringComparison.Ordinal)), 15, "host 'other' differs from 'pc'" },
        { "anchor", Vs("  - route:\n    - &d {destination: {host: pc, subset: v1}, weight: 80}\n    - {destination: {host: pc, subset: v2}, weight: 20}\n  - route: [*d]\n"), 9, "anchors/aliases" },
        { "no http", "apiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata:\n  name: pc\nspec:\n  hosts: [pc]\n", 5, "no spec.http" },
    };

    [Theory]
    [MemberData(nameof(Errors))]
    public void RejectsBadFilesNamingPathLineAndProblem(string @case, string text, int line, string problem)
    {
        var route = @case is "route name" or "route name among unnamed" or "subset missing" ? "canary" : null;

        var e = Assert.Throws<RepoFileException>(() => VirtualServiceFile.ReadWeights(Path, text, "pc", route, "v1", "v2"));

        Assert.Equal(Path, e.File);
        Assert.Equal(line, e.Line);
        Assert.StartsWith($"{Path}:{line}:", e.Message, StringComparison.Ordinal);
        Assert.Contains(problem, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AMissingVirtualServiceListsTheNamesFound()
    {
        var text = Vs(Route(null, 80, 20)) + "---\n" + Vs(Route(null, 80, 20)).Replace("name: pc", "name: other", StringComparison.Ordinal);

        var e = Assert.Throws<RepoFileException>(() => VirtualServiceFile.ReadWeights(Path, text, "reviews", null, "v1", "v2"));

        Assert.Equal(0, e.Line);
        Assert.Equal($"{Path}: no VirtualService named 'reviews' (VirtualServices found: pc, other)", e.Message);
    }

    [Fact]
    public void AFileWithoutVirtualServiceSaysSo()
    {
        var e = Assert.Throws<RepoFileException>(() =>
            VirtualServiceFile.ReadWeights(Path, "apiVersion: v1\nkind: Service\nmetadata:\n  name: pc\n", "pc", null, "v1", "v2"));

        Assert.Contains("the file holds no VirtualService", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TwoVirtualServicesWithTheSameNameAreAmbiguous()
    {
        var text = Vs(Route(null, 80, 20)) + "---\n" + Vs(Route(null, 80, 20));

        var e = Assert.Throws<RepoFileException>(() => VirtualServiceFile.ReadWeights(Path, text, "pc", null, "v1", "v2"));

        Assert.Equal(20, e.Line); // 18 lines, "---", then the second VirtualService
        Assert.Contains("more than one VirtualService named 'pc'", e.Message, StringComparison.Ordinal);
    }

    /// <summary>A VirtualService `pc` whose spec.http list (starting on line 8) is <paramref name="http"/>.</summary>
    internal static string Vs(string http) =>
        "apiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata:\n  name: pc\nspec:\n  hosts: [pc]\n  http:\n" + http;

    /// <summary>An 11-line http route entry: v1 then v2 (or <paramref name="subset2"/>); a null weight is left out.</summary>
    internal static string Route(string? name, object? w1, object? w2, string subset2 = "v2") =>
        $"  - name: {name ?? "~"}\n    route:\n" +
        $"    - destination:\n        host: pc\n        subset: v1\n{Weight(w1)}" +
        $"    - destination:\n        host: pc\n        subset: {subset2}\n{Weight(w2)}" +
        "    timeout: 5s\n";

    private static string Weight(object? w) => w is null ? "      # no weight\n" : $"      weight: {w}\n";
}
