using Microsoft.Extensions.Configuration;
using PromotionBot.Cluster;
using PromotionBot.Configuration;
using PromotionBot.Tests.Git;
using Xunit;

namespace PromotionBot.Tests.Cluster;

public sealed class ClusterSettingsTests
{
    private static ClusterSettings Load(Dictionary<string, string?> keys, Dictionary<string, string>? environment = null) =>
        ClusterSettings.Load(new ConfigurationBuilder().AddInMemoryCollection(keys).Build(), name => environment?.GetValueOrDefault(name));

    [Fact]
    public void Defaults_follow_the_pod_and_client_go()
    {
        var settings = Load([], new() { ["POD_NAME"] = "promotion-bot-7d9-abc", ["POD_NAMESPACE"] = "promotion-bot", ["KUBECONFIG"] = "/tmp/k" });

        Assert.True(settings.Enabled);
        Assert.Equal("/tmp/k", settings.Kubeconfig);
        Assert.Equal("argocd", settings.ArgoCdNamespace);
        Assert.Null(settings.LeaderElection.Enabled);
        Assert.Equal("promotion-bot", settings.LeaderElection.LeaseName);
        Assert.Equal("promotion-bot", settings.LeaderElection.Namespace);
        Assert.Equal("promotion-bot-7d9-abc", settings.LeaderElection.Identity);
        Assert.Equal(TimeSpan.FromSeconds(15), settings.LeaderElection.LeaseDuration);
        Assert.Equal(TimeSpan.FromSeconds(10), settings.LeaderElection.RenewDeadline);
        Assert.Equal(TimeSpan.FromSeconds(2), settings.LeaderElection.RetryPeriod);
    }

    [Fact]
    public void Keys_override_and_bad_values_are_reported_together()
    {
        var settings = Load(new() { ["LeaderElection:LeaseDuration"] = "30s", ["ArgoCd:Namespace"] = "gitops", ["Cluster:Enabled"] = "false" });
        var error = Assert.Throws<SettingsException>(() => Load(new() { ["LeaderElection:LeaseDuration"] = "soon", ["Cluster:Enabled"] = "nope" }));

        Assert.Equal(TimeSpan.FromSeconds(30), settings.LeaderElection.LeaseDuration);
        Assert.Equal("gitops", settings.ArgoCdNamespace);
        Assert.False(settings.Enabled);
        Assert.Equal(2, error.Problems.Count);
        Assert.Equal(Environment.MachineName, Load([]).LeaderElection.Identity);
    }

    [Fact]
    public void Without_a_pod_or_kubeconfig_there_is_no_cluster_and_the_log_says_so()
    {
        var log = new ListLogger<ClusterConnection>();
        var missing = new ListLogger<ClusterConnection>();
        var disabled = new ListLogger<ClusterConnection>();

        Assert.Null(ClusterAccess.Connect(Load([]), log));
        Assert.Null(ClusterAccess.Connect(Load(new() { ["Cluster:Kubeconfig"] = "/nonexistent/kubeconfig" }), missing));
        Assert.Null(ClusterAccess.Connect(Load(new() { ["Cluster:Enabled"] = "false", ["Cluster:Kubeconfig"] = "/nonexistent" }), disabled));

        Assert.Contains("gating and leader election are off", Assert.Single(log.Lines), StringComparison.Ordinal);
        Assert.Contains("/nonexistent/kubeconfig does not exist", Assert.Single(missing.Lines), StringComparison.Ordinal);
        Assert.Contains("Cluster:Enabled=false", Assert.Single(disabled.Lines), StringComparison.Ordinal);
    }
}
