using System.Diagnostics;
using PromotionBot.Cluster;
using Xunit;

namespace PromotionBot.Tests.Cluster;

/// <summary>
/// The example alert rules and Alertmanager route in infrastructure/addons/alerting: promtool evaluates the rules on
/// their own test series, amtool checks the route, and both agree with what the webhook reads.
/// </summary>
public sealed class AlertRuleTests
{
    private const string Folder = "infrastructure/addons/alerting";

    private static (int Exit, string Output) Run(string tool, params string[] args)
    {
        var start = new ProcessStartInfo(tool) { WorkingDirectory = RepositoryFiles.PathOf(Folder), RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args)
        {
            start.ArgumentList.Add(a);
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        process.WaitForExit();
        return (process.ExitCode, output.Result + errors.Result);
    }

    [Fact]
    public void Alert_rules_fire_per_canary_service_on_their_test_series()
    {
        var (exit, output) = Run("promtool", "test", "rules", "canary-alerts.test.yml");

        Assert.True(exit == 0, output);
        Assert.Contains("SUCCESS", output, StringComparison.Ordinal);
    }

    [Fact]
    public void Alertmanager_route_is_valid_and_sends_canary_alerts_to_the_webhook_with_a_bearer_token()
    {
        var (exit, output) = Run("amtool", "check-config", "alertmanager.yml");
        Assert.True(exit == 0, output);

        var config = Assert.Single(RepositoryFiles.Documents($"{Folder}/alertmanager.yml"));
        var route = Assert.Single(config.Items("route", "routes"));
        Assert.Equal(["destination_service_namespace", "destination_service_name"], route.Items("group_by").Select(g => g.Text()));
        var receiver = Assert.Single(config.Items("receivers"), r => r.Text("name") == route.Text("receiver"));
        var webhook = Assert.Single(receiver.Items("webhook_configs"));
        Assert.Equal(AlertmanagerWebhook.Path, new Uri(webhook.Text("url")!).AbsolutePath);
        Assert.Equal("Bearer", webhook.Text("http_config", "authorization", "type"));

        // Every alert the route selects carries the labels the webhook resolves canaries from.
        var rules = Assert.Single(RepositoryFiles.Documents($"{Folder}/canary-alerts.rules.yml")).Items("groups").SelectMany(g => g.Items("rules")).ToList();
        Assert.NotEmpty(rules);
        Assert.All(rules, r =>
        {
            Assert.Equal("rollback", r.Text("labels", "promotion_bot"));
            Assert.Contains("by (destination_service_namespace, destination_service_name)", r.Text("expr"), StringComparison.Ordinal);
        });
    }
}
