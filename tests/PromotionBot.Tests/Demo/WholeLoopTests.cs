using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Demo.Orchestration;
using Xunit;

namespace PromotionBot.Tests.Demo;

/// <summary>
/// <c>make demo</c>'s loop end to end with the brief storyline: the real worker (a child process) against the mesh
/// simulator, a scraping Prometheus, the git origin behind the GitHub API stand-in with a merging reviewer, and the
/// Kubernetes API stand-in with its Argo CD loop. order-management v2 breaks at once and must be rolled back;
/// product-catalog v2 is healthy and must take its first step. Asserts on what happened, never on how fast.
/// </summary>
public sealed class WholeLoopTests
{
    [Fact]
    public async Task A_broken_canary_is_rolled_back_and_a_healthy_one_advances_through_merge_and_sync()
    {
        var bodies = Directory.CreateTempSubdirectory("demo-loop-prs-");
        using var output = new StringWriter(CultureInfo.InvariantCulture);
        var settings = new LoopSettings
        {
            RepositoryRoot = RepositoryRoot(),
            Storyline = Storyline.Brief,
            TimeScale = 60,
            Schedule = "* * * * * *",
            ReviewerDelay = TimeSpan.FromSeconds(1),
            SyncDelay = TimeSpan.FromSeconds(1),
            StoryTimeout = TimeSpan.FromSeconds(75),
            PullRequestsDirectory = bodies.FullName,
            Output = output,
        };

        LoopSummary summary;
        int workerPid;
        string origin;
        try
        {
            await using (var loop = await DemoLoop.StartAsync(settings))
            {
                workerPid = loop.Worker.ProcessId;
                origin = loop.OriginPath;
                summary = await loop.RunStorylineAsync();
            }

            Assert.True(summary.Succeeded, $"{summary.Failure}\n{output}");

            var orders = summary.Canaries.Single(c => c.Name == "order-management");
            var rollback = Assert.Single(orders.PullRequests);
            Assert.Equal("rollback", rollback.Kind);
            Assert.Equal([new("v1", 100), new("v2", 0)], rollback.Weights);
            Assert.NotNull(rollback.MergedAt);
            Assert.NotNull(rollback.LiveAt);
            Assert.Equal([new("v1", 100), new("v2", 0)], orders.FinalWeights);
            Assert.NotNull(orders.FaultAt);
            Assert.NotNull(orders.RollbackOpenedAt);
            Assert.True(orders.RollbackOpenedAt >= orders.FaultAt, output.ToString());

            var catalog = summary.Canaries.Single(c => c.Name == "product-catalog");
            var advance = catalog.PullRequests[0];
            Assert.Equal("advance", advance.Kind);
            Assert.Equal([new("v1", 80), new("v2", 20)], advance.From);
            Assert.Equal([new("v1", 50), new("v2", 50)], advance.Weights);
            Assert.True(advance.MergedAt is { } merged && advance.LiveAt >= merged, output.ToString());
            Assert.Equal([new("v1", 50), new("v2", 50)], catalog.FinalWeights);
            Assert.Null(catalog.FaultAt);
            Assert.Null(catalog.RollbackOpenedAt);

            // DEMO_SUMMARY's document, field by field.
            using var json = JsonDocument.Parse(summary.ToJson());
            var root = json.RootElement;
            Assert.True(root.GetProperty("durationSeconds").GetDouble() > 0);
            var om = root.GetProperty("canaries").GetProperty("order-management");
            Assert.Equal(100, om.GetProperty("finalWeights").GetProperty("v1").GetInt32());
            Assert.Equal(0, om.GetProperty("finalWeights").GetProperty("v2").GetInt32());
            var omPr = Assert.Single(om.GetProperty("pullRequests").EnumerateArray());
            Assert.Equal(rollback.Number, omPr.GetProperty("number").GetInt32());
            Assert.Equal("rollback", omPr.GetProperty("kind").GetString());
            Assert.Equal(0, omPr.GetProperty("weights").GetProperty("v2").GetInt32());
            Assert.Equal(JsonValueKind.String, omPr.GetProperty("openedAt").ValueKind);
            Assert.Equal(JsonValueKind.String, omPr.GetProperty("mergedAt").ValueKind);
            Assert.Equal(JsonValueKind.String, om.GetProperty("faultAt").ValueKind);
            Assert.Equal(JsonValueKind.String, om.GetProperty("rollbackOpenedAt").ValueKind);
            var pc = root.GetProperty("canaries").GetProperty("product-catalog");
            Assert.Equal("advance", pc.GetProperty("pullRequests")[0].GetProperty("kind").GetString());
            Assert.Equal(JsonValueKind.Null, pc.GetProperty("faultAt").ValueKind);
            Assert.Equal(JsonValueKind.Null, pc.GetProperty("rollbackOpenedAt").ValueKind);

            // Every pull request body was written, with the bot's evidence and the compressed time it judged on.
            var rollbackBody = File.ReadAllText(Assert.Single(Directory.GetFiles(bodies.FullName, $"pr-{rollback.Number:D2}-order-management-rollback.md")));
            Assert.Contains("promotion-bot: canary=ecommerce/order-management decision=rollback", rollbackBody, StringComparison.Ordinal);
            Assert.Contains("time ×60", rollbackBody, StringComparison.Ordinal);

            // The live view showed the worker's decisions with the view's own figures.
            Assert.Matches(@"\+\d+\.\ds\s+order-management\s+80/20\s+\S+\s+\S+\s+\S+\s+rollback", output.ToString());
        }
        finally
        {
            bodies.Delete(recursive: true);
        }

        // Disposed: the worker is gone and the working directory (origin, clone, kubeconfig) removed.
        Assert.False(Running(workerPid), "the worker process survived the loop");
        Assert.False(Directory.Exists(Path.GetDirectoryName(origin)), "the loop's working directory survived");
    }

    private static bool Running(int pid)
    {
        try
        {
            using var process = Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
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
