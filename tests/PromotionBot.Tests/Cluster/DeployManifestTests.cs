using PromotionBot.Cluster;
using Xunit;

namespace PromotionBot.Tests.Cluster;

/// <summary>bot/deploy runs two replicas that can elect a leader, kept available by a PodDisruptionBudget.</summary>
public sealed class DeployManifestTests
{
    [Fact]
    public void Two_replicas_with_a_disruption_budget_and_the_downward_api_identity_election_reads()
    {
        var deployment = Assert.Single(RepositoryFiles.Documents("bot/deploy/deployment.yaml"), d => d.Text("kind") == "Deployment");
        var pdb = Assert.Single(RepositoryFiles.Documents("bot/deploy/pdb.yaml"));
        var kustomization = Assert.Single(RepositoryFiles.Documents("bot/deploy/kustomization.yaml"));

        Assert.Equal("2", deployment.Text("spec", "replicas"));
        Assert.Equal("PodDisruptionBudget", pdb.Text("kind"));
        Assert.Equal("1", pdb.Text("spec", "minAvailable"));
        Assert.Equal(deployment.Text("spec", "template", "metadata", "labels", "app"), pdb.Text("spec", "selector", "matchLabels", "app"));
        Assert.Contains(kustomization.Items("resources"), r => r.Text() == "pdb.yaml");

        var env = deployment.Items("spec", "template", "spec", "containers").Single().Items("env").ToList();
        Assert.Contains(env, e => e.Text("name") == "POD_NAME" && e.Text("valueFrom", "fieldRef", "fieldPath") == "metadata.name");
        Assert.Contains(env, e => e.Text("name") == "POD_NAMESPACE" && e.Text("valueFrom", "fieldRef", "fieldPath") == "metadata.namespace");
        Assert.Contains(env, e => e.Text("name") == AlertmanagerWebhook.TokenKey.Replace(":", "__", StringComparison.Ordinal)
            && e.Text("valueFrom", "secretKeyRef", "optional") == "true");
    }
}
