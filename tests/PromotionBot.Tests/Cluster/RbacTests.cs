using PromotionBot.Analysis;
using PromotionBot.Cluster;
using PromotionBot.Policy;
using PromotionBot.Tests.Git;
using Xunit;

namespace PromotionBot.Tests.Cluster;

/// <summary>
/// bot/deploy/rbac.yaml grants exactly what the code asks the API server for: the requests of a gated cycle and of a
/// full election (create, renew, release) against the test server, compared with the Roles bound to the bot.
/// </summary>
public sealed class RbacTests
{
    private sealed record Grant(string Namespace, string Group, string Resource, string Verb);

    private static IReadOnlySet<Grant> Granted()
    {
        var docs = RepositoryFiles.Documents("bot/deploy/rbac.yaml");
        var bound = docs
            .Where(d => d.Text("kind") == "RoleBinding"
                && d.Items("subjects").Any(s => s.Text("kind") == "ServiceAccount" && s.Text("name") == "promotion-bot" && s.Text("namespace") == "promotion-bot"))
            .Select(d => (Namespace: d.Text("metadata", "namespace")!, Role: d.Text("roleRef", "name")!))
            .ToHashSet();
        Assert.DoesNotContain(docs, d => d.Text("kind") is "ClusterRole" or "ClusterRoleBinding");
        return docs
            .Where(d => d.Text("kind") == "Role" && bound.Contains((d.Text("metadata", "namespace")!, d.Text("metadata", "name")!)))
            .SelectMany(d => d.Items("rules").SelectMany(rule =>
                from g in rule.Items("apiGroups")
                from r in rule.Items("resources")
                from v in rule.Items("verbs")
                select new Grant(d.Text("metadata", "namespace")!, g.Text()!, r.Text()!, v.Text()!)))
            .ToHashSet();
    }

    [Fact]
    public async Task Roles_grant_exactly_the_verbs_and_resources_the_bot_uses()
    {
        await using var f = await GateFixture.CreateAsync();
        LiveObjects.VirtualService(f.Server, GateFixture.Ns, 50, 50);
        LiveObjects.Application(f.Server, f.StepCommit, f.At.AddHours(-1));
        Assert.Equal(DecisionKind.Advance, (await f.GateAsync(DecisionKind.Advance)).Kind);

        var election = new LeaseLeadership(f.Connection.Client,
            new LeaderElectionSettings(true, "promotion-bot", "promotion-bot", TimeSpan.FromSeconds(3), "pod-a"), new ListLogger<LeaseLeadership>());
        await election.StartAsync(default);
        while (!election.IsLeader || !f.Server.Requests.Any(r => r.Verb == "update"))
        {
            await Task.Delay(20);
        }

        await election.StopAsync(default);

        var used = f.Server.Requests.Select(r => new Grant(r.Namespace, r.Group, r.Resource, r.Verb)).ToHashSet();
        Assert.Equal(
            Granted().OrderBy(g => g.ToString()).Select(g => g.ToString()),
            used.OrderBy(g => g.ToString()).Select(g => g.ToString()));
    }

    [Fact]
    public void Every_canary_namespace_in_the_repository_may_read_its_virtual_services()
    {
        var granted = Granted();
        var namespaces = PolicyLoader.Discover(RepositoryFiles.Root)
            .Select(p => PolicyLoader.Load(RepositoryFiles.Root, p).Namespace)
            .Distinct()
            .ToList();

        Assert.NotEmpty(namespaces);
        Assert.All(namespaces, ns => Assert.Contains(new Grant(ns, ClusterReader.IstioGroup, ClusterReader.VirtualServices, "get"), granted));
        Assert.Contains(new Grant(ClusterSettings.DefaultArgoCdNamespace, ClusterReader.ArgoGroup, ClusterReader.Applications, "get"), granted);
    }
}
