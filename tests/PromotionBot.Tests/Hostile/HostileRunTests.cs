using System.Globalization;
using LibGit2Sharp;
using PromotionBot.PullRequests;
using PromotionBot.Tests.PullRequests;
using Xunit;
using static PromotionBot.Tests.PullRequests.PromotionPrometheusFixture;

namespace PromotionBot.Tests.Hostile;

/// <summary>`run --once` with an attacker's commit on main: the urgent rollback of another canary still goes out.</summary>
[Collection(PromotionPrometheusCollection.Name)]
public sealed class HostileRunTests(PromotionPrometheusFixture prometheus)
{
    [Fact]
    public async Task A_symlink_out_of_the_repository_blocks_only_its_canary_and_the_rollback_is_opened()
    {
        await using var s = await GitOpsSandbox.CreateAsync((TurnsBad, 80, 20), (Healthy, 80, 20));
        // Someone replaces the healthy canary's VirtualService by a symlink to a file outside the repository.
        using (var repo = new Repository(s.Remote))
        {
            var main = repo.Branches["main"].Tip;
            var definition = TreeDefinition.From(main.Tree);
            using var target = new MemoryStream("/etc/passwd"u8.ToArray());
            definition.Add(GitOpsSandbox.VsPath(Healthy), repo.ObjectDatabase.CreateBlob(target), Mode.SymbolicLink);
            var who = new Signature("Mallory", "mallory@example.com", DateTimeOffset.UtcNow);
            var commit = repo.ObjectDatabase.CreateCommit(who, who, "Link", repo.ObjectDatabase.CreateTree(definition), [main], prettifyMessage: true);
            repo.Refs.UpdateTarget(repo.Refs["refs/heads/main"], commit.Id);
        }

        var (exit, output, stderr) = await PromotionBot.Tests.Cli.CliRun.InvokeAsync(
            ["run", "--once", "--at", prometheus.At.ToString("O", CultureInfo.InvariantCulture),
             $"--GitHub:ApiUrl={s.GitHub.ApiUrl}", $"--GitHub:Token={GitOpsSandbox.Token}", $"--GitHub:Owner={GitOpsSandbox.Owner}", $"--GitHub:Repository={GitOpsSandbox.Repo}",
             $"--Git:RemoteUrl={s.Remote}", $"--Git:CacheDirectory={s.Cache}", $"--Prometheus:Url={prometheus.BaseUrl}"],
            PromotionBot.Tests.Cli.CliRun.NoWaitRetry).WaitAsync(TimeSpan.FromMinutes(2));

        Assert.True(exit == 1, output + stderr);
        var pr = Assert.Single(s.GitHub.PullRequests);
        Assert.Equal("product-catalog: revert to v1 (circuit breaking on v2)", (string)pr["title"]!);
        Assert.Contains($"{GitOpsSandbox.VsPath(Healthy)}: is a symbolic link that leaves the repository", output, StringComparison.Ordinal);
        Assert.Null(s.Head(GitOpsSandbox.Branch(Healthy)));
        Assert.DoesNotContain("root:", output + stderr, StringComparison.Ordinal);
        Assert.All(s.GitHub.Requests, r => Assert.DoesNotContain("root:", r.ResponseBody, StringComparison.Ordinal));
    }
}
