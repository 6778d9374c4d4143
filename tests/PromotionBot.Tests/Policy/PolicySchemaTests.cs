using System.Text.Json;
using PromotionBot.Policy;
using Xunit;
using YamlDotNet.RepresentationModel;

namespace PromotionBot.Tests.Policy;

/// <summary>
/// The schema (bot/PromotionBot/Policy/promotion-policy.schema.json) and the loader are one definition: the loader
/// embeds the file, takes its defaults and known keys from it, and — proven here — its own checks accept and reject
/// exactly what the schema does, except the cross-field rules a JSON Schema cannot state.
/// </summary>
public sealed class PolicySchemaTests
{
    private const string File = "apps/shop/canary/promotion-policy.yaml";

    private static string RepoRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !System.IO.File.Exists(Path.Combine(dir.FullName, "GitOpsPromotion.sln")))
        {
            dir = dir.Parent;
        }

        return dir?.FullName ?? throw new InvalidOperationException("repository root not found");
    }

    [Fact]
    public void The_embedded_schema_is_the_file_in_the_repository()
    {
        var onDisk = System.IO.File.ReadAllText(Path.Combine(RepoRoot(), PolicySchema.RepositoryPath));
        Assert.Equal(onDisk, PolicySchema.Text);
    }

    [Fact]
    public void Every_shipped_policy_carries_the_schema_modeline_and_passes_the_loader()
    {
        var root = RepoRoot();
        var policies = PolicyLoader.Discover(root);
        Assert.NotEmpty(policies);
        foreach (var policy in policies)
        {
            var first = System.IO.File.ReadLines(Path.Combine(root, policy)).First();
            const string prefix = "# yaml-language-server: $schema=";
            Assert.StartsWith(prefix, first, StringComparison.Ordinal);
            var target = Path.GetFullPath(Path.Combine(root, Path.GetDirectoryName(policy)!, first[prefix.Length..]));
            Assert.Equal(Path.GetFullPath(Path.Combine(root, PolicySchema.RepositoryPath)), target);
            PolicyLoader.Load(root, policy);
        }
    }

    [Fact]
    public void Omitted_fields_take_the_schema_defaults()
    {
        var text = string.Join('\n', PolicyLoaderTests.Valid.Split('\n').TakeWhile(l => !l.StartsWith("  analysis:", StringComparison.Ordinal)));
        var p = PolicyLoader.Parse(File, text);

        Assert.Equal(Durations.Format(p.Analysis.Window), PolicySchema.Default("spec", "analysis", "window").GetString());
        Assert.Equal(Durations.Format(p.Analysis.Interval), PolicySchema.Default("spec", "analysis", "interval").GetString());
        Assert.Equal(Durations.Format(p.Analysis.MaxStaleness), PolicySchema.Default("spec", "analysis", "maxStaleness").GetString());
        Assert.Equal(p.Analysis.FailureThreshold, PolicySchema.Default("spec", "analysis", "failureThreshold").GetInt32());
        Assert.Equal(p.Analysis.MinRequests, PolicySchema.Default("spec", "analysis", "minRequests").GetInt64());
        Assert.Equal(p.Analysis.MaxErrorRate, PolicySchema.Default("spec", "analysis", "maxErrorRate").GetDouble());
        Assert.Equal(p.Analysis.MaxP99LatencyMs, PolicySchema.Default("spec", "analysis", "maxP99LatencyMs").GetDouble());
        Assert.Equal(p.CircuitBreaking.OutlierEjection, PolicySchema.Default("spec", "circuitBreaking", "outlierEjection").GetBoolean());
        Assert.Equal(p.CircuitBreaking.ConnectionPoolOverflow, PolicySchema.Default("spec", "circuitBreaking", "connectionPoolOverflow").GetBoolean());
        Assert.Equal(p.Analysis.Comparison.Enabled, PolicySchema.Default("spec", "analysis", "comparison", "enabled").GetBoolean());
        Assert.Equal(p.Analysis.Comparison.MaxErrorRateIncrease, PolicySchema.Default("spec", "analysis", "comparison", "maxErrorRateIncrease").GetDouble());
        Assert.Equal(p.Analysis.Comparison.Confidence, PolicySchema.Default("spec", "analysis", "comparison", "confidence").GetDouble());
    }

    /// <summary>Values around every boundary of every field: (line to find, replacement).</summary>
    public static TheoryData<string, string> Variations()
    {
        var data = new TheoryData<string, string>();
        void Field(string find, params string[] values)
        {
            foreach (var v in values)
            {
                data.Add(find, v);
            }
        }

        Field("  name: catalog", "  name: a", "  name: Catalog", "  name: -a", "  name: a-", "  name: " + new string('a', 63), "  name: " + new string('a', 64), "  name: \"\"", "  name: 12", "  name: [a]");
        Field("    namespace: shop", "    namespace: sh.op", "    namespace: shop1", "    namespace: \"shop\"", "    namespace: true");
        Field("    service: product-catalog", "    service: product_catalog", "    service: p", "    service: {a: b}");
        Field("    name: product-catalog", "    name: product.catalog", "    name: product..catalog", "    name: Product");
        Field("    canary: v2", "    canary: V2", "    canary: v2-beta", "    canary: 2");
        Field("  steps: [10, 50, 100]", "  steps: [100]", "  steps: [0, 100]", "  steps: [10, 101]", "  steps: [10.5, 100]", "  steps: [\"10\", 100]", "  steps: 100", "  steps: [-1, 100]");
        Field("    window: 5m", "    window: 0s", "    window: 1h30m", "    window: 999999h", "    window: 1000000h", "    window: 5", "    window: 5d", "    window: \"5m\"", "    window: 00m", "    window: 5m0s");
        Field("    interval: 30s", "    interval: 1s", "    interval: 0h0m0s");
        Field("    failureThreshold: 4", "    failureThreshold: 1", "    failureThreshold: 0", "    failureThreshold: -3", "    failureThreshold: 2.5", "    failureThreshold: \"4\"", "    failureThreshold: 99999999999");
        Field("    minRequests: 250", "    minRequests: 1", "    minRequests: 0", "    minRequests: 2147483647", "    minRequests: 2147483648", "    minRequests: 1e3", "    minRequests: +5");
        Field("    maxErrorRate: 0.02", "    maxErrorRate: 0", "    maxErrorRate: 1", "    maxErrorRate: 1.0001", "    maxErrorRate: -0.1", "    maxErrorRate: 1e-3", "    maxErrorRate: .5", "    maxErrorRate: .inf", "    maxErrorRate: \"0.1\"", "    maxErrorRate: 5.");
        Field("    maxP99LatencyMs: 800", "    maxP99LatencyMs: 0", "    maxP99LatencyMs: 0.001", "    maxP99LatencyMs: -1", "    maxP99LatencyMs: 1e400");
        Field("    outlierEjection: true", "    outlierEjection: false", "    outlierEjection: True", "    outlierEjection: yes", "    outlierEjection: 1", "    outlierEjection: \"true\"");
        Field("    route: x", "    route: x");
        return data;
    }

    [Theory]
    [MemberData(nameof(Variations))]
    public void Loader_checks_and_schema_agree(string find, string replace)
    {
        var text = PolicyLoaderTests.Valid.Replace(find, replace, StringComparison.Ordinal);
        var loader = Verdict(() => PolicyLoader.Parse(File, text, schema: false));
        var schema = Verdict(() =>
        {
            var yaml = new YamlStream();
            yaml.Load(new StringReader(text));
            PolicySchema.RejectUnknownKeys(File, yaml.Documents[0].RootNode);
            PolicySchema.Validate(File, yaml.Documents[0].RootNode);
        });

        Assert.True(loader.Ok == schema.Ok, $"'{replace}': loader {(loader.Ok ? "accepts" : "rejects: " + loader.Error)}, schema {(schema.Ok ? "accepts" : "rejects: " + schema.Error)}");
    }

    /// <summary>What only the loader can check (relations between fields, the file system): the schema accepts these.</summary>
    [Theory]
    [InlineData("steps: [10, 50, 100]", "steps: [50, 10, 100]", "strictly ascending")]
    [InlineData("steps: [10, 50, 100]", "steps: [10, 50]", "the last step must be 100")]
    [InlineData("canary: v2", "canary: v1", "must differ")]
    [InlineData("failureThreshold: 4", "failureThreshold: 40", "must fit in the window")]
    [InlineData("file: ../routes/virtualservice.yaml", "file: ../../../../etc/passwd", "leaves the repository")]
    public void Cross_field_rules_are_the_loaders_alone(string find, string replace, string problem)
    {
        var text = PolicyLoaderTests.Valid.Replace(find, replace, StringComparison.Ordinal);
        var yaml = new YamlStream();
        yaml.Load(new StringReader(text));

        PolicySchema.Validate(File, yaml.Documents[0].RootNode);
        Assert.Contains(problem, Assert.Throws<RepoFileException>(() => PolicyLoader.Parse(File, text)).Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("    maxErrorRate: 0.02", "    maxErrorRatio: 0.02", "apps/shop/canary/promotion-policy.yaml:21:5: unknown field 'maxErrorRatio' in spec.analysis (did you mean 'maxErrorRate'?)")]
    [InlineData("  analysis:", "  analysys:", "apps/shop/canary/promotion-policy.yaml:16:3: unknown field 'analysys' in spec (did you mean 'analysis'?)")]
    [InlineData("    service: product-catalog", "    servce: product-catalog", "apps/shop/canary/promotion-policy.yaml:8:5: unknown field 'servce' in spec.target (did you mean 'service'?)")]
    [InlineData("kind: PromotionPolicy", "kind: PromotionPolicy\nzebra: 1", "apps/shop/canary/promotion-policy.yaml:3:1: unknown field 'zebra' at the top level (known fields: apiVersion, kind, metadata, spec)")]
    public void Unknown_keys_are_rejected_with_the_nearest_known_key(string find, string replace, string message)
    {
        var text = PolicyLoaderTests.Valid.Replace(find, replace, StringComparison.Ordinal);
        Assert.NotEqual(PolicyLoaderTests.Valid, text);

        Assert.Equal(message, Assert.Throws<RepoFileException>(() => PolicyLoader.Parse(File, text)).Message);
    }

    [Fact]
    public void Type_errors_the_loader_does_not_word_come_from_the_schema_with_line_and_column()
    {
        // The loader ignores labels; only the schema says what they may hold.
        var text = PolicyLoaderTests.Valid.Replace("  name: catalog", "  name: catalog\n  labels:\n    team: 7", StringComparison.Ordinal);

        var e = Assert.Throws<RepoFileException>(() => PolicyLoader.Parse(File, text));

        Assert.Equal((6, 11), (e.Line, e.Column));
        Assert.StartsWith("apps/shop/canary/promotion-policy.yaml:6:11: metadata.labels.team: ", e.Message, StringComparison.Ordinal);
        Assert.EndsWith($"(schema: {PolicySchema.RepositoryPath})", e.Message, StringComparison.Ordinal);
    }

    private static (bool Ok, string? Error) Verdict(Action action)
    {
        try
        {
            action();
            return (true, null);
        }
        catch (RepoFileException e)
        {
            return (false, e.Message);
        }
    }
}
