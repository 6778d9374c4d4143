using System.Text.RegularExpressions;
using PromotionBot.Metrics;
using PromotionBot.Policy;
using Xunit;
using YamlDotNet.RepresentationModel;

namespace PromotionBot.Tests.Metrics;

/// <summary>
/// Envoy exports only the stats the mesh's proxyStatsMatcher includes: a stat the bot queries but the mesh filters out
/// would read as "no data" forever. Every Envoy metric in the bot's queries must be one of <see cref="SignalQueries.EnvoyStats"/>,
/// and each of those must be matched by an inclusion regexp in infrastructure/istio/istiod/values.yaml.
/// </summary>
public sealed partial class ProxyStatsMatcherCoverageTests
{
    private static readonly CanaryPolicy Policy = new(
        "order-management", "ecommerce", "order-management", "apps/p.yaml",
        new VirtualServiceTarget("apps/vs.yaml", "order-management", null), "v1", "v2", [20, 50, 100],
        new AnalysisSettings(TimeSpan.FromMinutes(10), 100, 0.01, 500, TimeSpan.FromMinutes(1), 3, TimeSpan.FromMinutes(2)),
        new CircuitBreakingSettings(true, true));

    [GeneratedRegex("""envoy_cluster_(?<name>[a-z_]+)\{(?<labels>[^}]*)\}""")]
    private static partial Regex EnvoyMetric();

    [Fact]
    public void Every_envoy_metric_the_bot_queries_is_a_declared_stat()
    {
        var declared = SignalQueries.EnvoyStats.ToHashSet(StringComparer.Ordinal);
        var queried = new SignalQueries([Policy]).All.SelectMany(q => EnvoyMetric().Matches(q)).Select(StatName).ToHashSet(StringComparer.Ordinal);

        Assert.NotEmpty(queried);
        Assert.All(queried, stat => Assert.Contains(stat, declared));
        Assert.All(declared, stat => Assert.Contains(stat, queried));
    }

    [Fact]
    public void Every_declared_stat_passes_the_mesh_proxyStatsMatcher()
    {
        var regexps = InclusionRegexps();
        Assert.NotEmpty(regexps);
        foreach (var stat in SignalQueries.EnvoyStats)
        {
            // The raw name Envoy matches: cluster.<cluster name>;.<stat> (alt_stat_name ends in ';' since Istio 1.23).
            var raw = $"cluster.outbound|9090|v2|order-management.ecommerce.svc.cluster.local;.{stat}";
            Assert.True(regexps.Any(r => Regex.IsMatch(raw, $"^(?:{r})$")), $"no proxyStatsMatcher.inclusionRegexps entry matches {raw}");
        }
    }

    /// <summary>Prometheus name back to the Envoy stat: Istio's stats tags turn upstream_rq_503 / upstream_rq_5xx into labels.</summary>
    private static string StatName(Match m)
    {
        var name = m.Groups["name"].Value;
        var labels = m.Groups["labels"].Value;
        if (name == "upstream_rq")
        {
            var code = Regex.Match(labels, """response_code(?:_class)?="(?<v>[^"]+)" """.Trim());
            Assert.True(code.Success, $"envoy_cluster_upstream_rq without a response code label: {m.Value}");
            return $"upstream_rq_{code.Groups["v"].Value}";
        }

        return SignalQueries.EnvoyStats.FirstOrDefault(s => s.Replace('.', '_') == name) ?? name;
    }

    private static List<string> InclusionRegexps()
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(File.ReadAllText(Path.Combine(RepositoryRoot(), "infrastructure", "istio", "istiod", "values.yaml"))));
        var root = (YamlMappingNode)stream.Documents[0].RootNode;
        var matcher = (YamlMappingNode)((YamlMappingNode)((YamlMappingNode)root["meshConfig"])["defaultConfig"])["proxyStatsMatcher"];
        return ((YamlSequenceNode)matcher["inclusionRegexps"]).Children.Select(n => ((YamlScalarNode)n).Value!).ToList();
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
}
