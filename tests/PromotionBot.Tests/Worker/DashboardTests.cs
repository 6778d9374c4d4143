using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using PromotionBot.Worker;
using Xunit;

namespace PromotionBot.Tests.Worker;

/// <summary>The Grafana dashboard in the addons layer: valid, provisioned into the vendored Grafana, and only about series the bot exports.</summary>
public sealed partial class DashboardTests
{
    private const string DashboardFile = "infrastructure/addons/base/promotion-bot-dashboard/promotion-bot.json";

    // Histograms are served as _bucket, _sum and _count series of their family.
    private static readonly string[] HistogramSeries = ["_bucket", "_sum", "_count"];

    [GeneratedRegex(@"\bpromotion_[a-z0-9_]+")]
    private static partial Regex BotSeries();

    private static JsonObject Dashboard() =>
        JsonNode.Parse(File.ReadAllText(Path.Combine(DeployManifests.RepoRoot, DashboardFile)),
            documentOptions: new JsonDocumentOptions { AllowTrailingCommas = false, CommentHandling = JsonCommentHandling.Disallow })!.AsObject();

    private static IEnumerable<JsonObject> Panels(JsonObject dashboard) => dashboard["panels"]!.AsArray().Select(p => p!.AsObject());

    private static IEnumerable<string> Queries(JsonObject dashboard) =>
        Panels(dashboard).SelectMany(p => p["targets"]!.AsArray()).Select(t => (string)t!["expr"]!)
            .Concat(dashboard["templating"]!["list"]!.AsArray().Where(v => (string?)v!["type"] == "query").Select(v => (string)v!["definition"]!));

    [Fact]
    public void Queries_use_only_series_the_bot_exports_and_every_metric_is_shown()
    {
        var dashboard = Dashboard();
        var exported = PromotionMetrics.Names
            .Concat(HistogramSeries.Select(suffix => "promotion_cycle_duration_seconds" + suffix))
            .ToHashSet(StringComparer.Ordinal);

        var used = Queries(dashboard).SelectMany(q => BotSeries().Matches(q).Select(m => m.Value)).ToHashSet(StringComparer.Ordinal);

        Assert.Empty(used.Except(exported));
        var families = used.Select(u => HistogramSeries.Aggregate(u, (name, suffix) => name.EndsWith(suffix, StringComparison.Ordinal) && exported.Contains(name[..^suffix.Length]) ? name[..^suffix.Length] : name));
        Assert.Equal(PromotionMetrics.Names.Order(StringComparer.Ordinal), families.Distinct().Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Every_query_is_valid_promql()
    {
        // promtool parses recording rules like Prometheus would; Grafana's variables get values first.
        var dir = Directory.CreateTempSubdirectory("pb-dashboard-");
        try
        {
            var rules = Path.Combine(dir.FullName, "rules.yaml");
            var exprs = Queries(Dashboard()).Where(q => !q.StartsWith("label_values(", StringComparison.Ordinal))
                .Select(q => q.Replace("$__rate_interval", "1m", StringComparison.Ordinal).Replace("$__range", "1h", StringComparison.Ordinal)
                    .Replace("$canary", ".*", StringComparison.Ordinal))
                .ToList();
            await File.WriteAllTextAsync(rules, "groups:\n- name: dashboard\n  rules:\n" + string.Concat(exprs.Select((e, i) =>
                $"  - record: dashboard:query{i}\n    expr: {JsonSerializer.Serialize(e)}\n")));
            var start = new System.Diagnostics.ProcessStartInfo("promtool", ["check", "rules", rules]) { RedirectStandardOutput = true, RedirectStandardError = true };
            using var promtool = System.Diagnostics.Process.Start(start)!;
            var output = await promtool.StandardOutput.ReadToEndAsync() + await promtool.StandardError.ReadToEndAsync();
            await promtool.WaitForExitAsync();

            Assert.True(promtool.ExitCode == 0, output);
            Assert.Contains($"SUCCESS: {exprs.Count} rules found", output, StringComparison.Ordinal);
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    [Fact]
    public void Dashboard_is_well_formed_for_grafana_provisioning()
    {
        var dashboard = Dashboard();

        Assert.Equal("promotion-bot", (string?)dashboard["uid"]);
        Assert.False(string.IsNullOrWhiteSpace((string?)dashboard["title"]));
        var panels = Panels(dashboard).ToList();
        Assert.Equal(panels.Count, panels.Select(p => (int)p["id"]!).Distinct().Count());
        Assert.All(panels, p =>
        {
            Assert.Equal("${datasource}", (string?)p["datasource"]!["uid"]);
            var targets = p["targets"]!.AsArray();
            Assert.NotEmpty(targets);
            Assert.Equal(targets.Count, targets.Select(t => (string)t!["refId"]!).Distinct().Count());
            var grid = p["gridPos"]!;
            Assert.InRange((int)grid["x"]! + (int)grid["w"]!, 1, 24);
        });
        Assert.Contains(dashboard["templating"]!["list"]!.AsArray(), v => (string?)v!["name"] == "datasource" && (string?)v["query"] == "prometheus");
    }

    [Fact]
    public async Task Grafana_of_the_addons_layer_mounts_the_dashboard_where_its_provider_looks()
    {
        var objects = await DeployManifests.RenderAsync("infrastructure/addons/base");
        var configMap = objects.Single(o => (string?)o["kind"] == "ConfigMap"
            && ((string?)o["metadata"]!["name"])!.StartsWith("promotion-bot-grafana-dashboard", StringComparison.Ordinal));
        var name = (string)configMap["metadata"]!["name"]!;
        Assert.Equal(File.ReadAllText(Path.Combine(DeployManifests.RepoRoot, DashboardFile)), (string?)configMap["data"]!["promotion-bot.json"]);

        var provider = DeployManifests.Parse((string)configMap["data"]!["provider.yaml"]!).Single();
        var path = (string)provider["providers"]![0]!["options"]!["path"]!;

        var pod = objects.Single("Deployment", "grafana")["spec"]!["template"]!["spec"]!;
        var volumes = pod["volumes"]!.AsArray().Where(v => (string?)v!["configMap"]?["name"] == name).ToDictionary(v => (string)v!["name"]!, v => v!);
        var mounts = pod["containers"]!.AsArray().Single(c => (string?)c!["name"] == "grafana")!["volumeMounts"]!.AsArray()
            .Where(m => volumes.ContainsKey((string)m!["name"]!)).ToDictionary(m => (string)m!["mountPath"]!, m => m!);

        var dashboards = volumes[(string)mounts[path]["name"]!]["configMap"]!["items"]!.AsArray();
        Assert.EndsWith(".json", (string)dashboards.Single()!["path"]!, StringComparison.Ordinal);
        var providerMount = mounts.Single(m => m.Key.StartsWith("/etc/grafana/provisioning/dashboards/", StringComparison.Ordinal));
        Assert.Equal("provider.yaml", (string?)volumes[(string)providerMount.Value["name"]!]["configMap"]!["items"]![0]!["key"]);
        Assert.Equal(Path.GetFileName(providerMount.Key), (string?)providerMount.Value["subPath"]);
    }
}
