using System.Globalization;
using System.Text.Json.Nodes;
using PromotionBot.GitHub;
using PromotionBot.Tests.Cli;
using PromotionBot.PullRequests;
using PromotionBot.Tests.Git;
using PromotionBot.Tests.GitHub;

namespace PromotionBot.Tests.PullRequests;

/// <summary>
/// A GitOps sandbox served over smart HTTP (so pushes can be counted as writes, like GitHub API calls) and `run --once`
/// cycles that can "crash" right after their Nth write (<see cref="CrashPoint"/>), plus the convergence checks.
/// </summary>
internal sealed class CrashHarness : IAsyncDisposable
{
    private static readonly RetryOptions FastRetry = new(3, TimeSpan.Zero, TimeSpan.Zero, TimeSpan.FromSeconds(30));

    private readonly PromotionPrometheusFixture prometheus;

    private CrashHarness(GitOpsSandbox sandbox, GitHttpServer git, PromotionPrometheusFixture prometheus)
    {
        Sandbox = sandbox;
        Git = git;
        this.prometheus = prometheus;
    }

    public GitOpsSandbox Sandbox { get; }

    public GitHttpServer Git { get; }

    public GitHubTestServer GitHub => Sandbox.GitHub;

    public static async Task<CrashHarness> CreateAsync(PromotionPrometheusFixture prometheus, params (string Namespace, int V1, int V2)[] canaries)
    {
        var sandbox = await GitOpsSandbox.CreateAsync(canaries);
        var git = await GitHttpServer.StartAsync(sandbox.Root, GitOpsSandbox.Token);
        return new CrashHarness(sandbox, git, prometheus);
    }

    /// <summary>One cycle; with <paramref name="crashAfter"/>, the bot dies right after that many writes.</summary>
    /// <returns>Exit code (null when the crash stopped the cycle), output, and the writes it carried out.</returns>
    public async Task<CycleRun> CycleAsync(DateTimeOffset at, int crashAfter = int.MaxValue, bool dryRun = false)
    {
        using var crash = new CrashPoint(crashAfter);
        GitHub.Crash = crash;
        Git.Crash = crash;
        int? exit;
        var output = "";
        try
        {
            (exit, var stdout, var stderr) = await CliRun.InvokeAsync(
                ["run", "--once", .. (dryRun ? new[] { "--dry-run" } : []), "--at", at.ToString("O", CultureInfo.InvariantCulture),
                 $"--GitHub:ApiUrl={GitHub.ApiUrl}", $"--GitHub:Token={GitOpsSandbox.Token}",
                 $"--GitHub:Owner={GitOpsSandbox.Owner}", $"--GitHub:Repository={GitOpsSandbox.Repo}",
                 $"--Git:RemoteUrl={Git.UrlOf("gitops.git")}", $"--Git:CacheDirectory={Sandbox.Cache}",
                 $"--Prometheus:Url={prometheus.BaseUrl}"],
                FastRetry, ct: crash.Token);
            output = stdout + stderr;
        }
        catch (OperationCanceledException) when (crash.Crashed)
        {
            exit = null;
        }
        finally
        {
            GitHub.Crash = null;
            Git.Crash = null;
        }

        return new CycleRun(exit, output, crash.Writes, crash.Crashed);
    }

    /// <summary>
    /// The state a cycle must leave behind, crash or no crash before it: at most one open bot PR per canary (exactly the
    /// expected one), its branch one bot commit that differs from main only in that canary's weights, no promotion/
    /// branch without an open PR, and every PR commented at most once per closing marker.
    /// </summary>
    /// <param name="expectedMarker">e.g. "decision=rollback weights=v1:100,v2:0"; null when no PR should be open.</param>
    public void AssertConverged(IReadOnlyDictionary<string, string?> expectedMarkers, string context)
    {
        foreach (var (ns, marker) in expectedMarkers)
        {
            AssertCanary(ns, marker, context);
        }

        var pulls = GitHub.PullRequests;
        var open = pulls.Where(p => (string)p["state"]! == "open").ToList();
        foreach (var name in Sandbox.Branches())
        {
            Assert(open.Any(p => (string)p["head"]!["ref"]! == name), $"branch {name} has an open PR", context);
        }

        foreach (var pr in pulls)
        {
            var number = (int)pr["number"]!;
            var markers = GitHub.CommentsOn(number).Select(c => c[c.LastIndexOf("<!--", StringComparison.Ordinal)..]).ToList();
            Assert(markers.Count == markers.Distinct().Count(), $"#{number} has no repeated comment: {string.Join(" | ", markers)}", context);
            var closed = (string)pr["state"]! == "closed";
            Assert(markers.Count == (closed ? 1 : 0), $"#{number} ({pr["state"]}) has {(closed ? "one closing comment" : "no comment")}, found {markers.Count}", context);
        }
    }

    private void AssertCanary(string ns, string? expectedMarker, string context)
    {
        var branch = GitOpsSandbox.Branch(ns);
        var open = GitHub.PullRequests.Where(p => (string)p["state"]! == "open" && ((string)p["body"]!).Contains($"canary={ns}/", StringComparison.Ordinal)).ToList();
        if (expectedMarker is null)
        {
            Assert(open.Count == 0, $"no open PR for {ns} expected, found {string.Join(", ", open.Select(p => "#" + p["number"]))}", context);
        }
        else
        {
            Assert(open.Count == 1, $"one open PR for {ns} expected, found {open.Count}", context);
            var pr = open[0];
            var body = (string)pr["body"]!;
            Assert(body.Contains($"canary={ns}/product-catalog {expectedMarker} ", StringComparison.Ordinal), $"open PR proposes {expectedMarker}: {body[..Math.Min(160, body.Length)]}", context);
            Assert((string)pr["head"]!["ref"]! == branch, "open PR is on the canary's branch", context);
            Assert((string)pr["head"]!["sha"]! == Sandbox.Head(branch), "PR head is the branch tip", context);
            var diff = Sandbox.DiffFromMain(branch);
            Assert(diff.Count == 1 && diff[0].Path == GitOpsSandbox.VsPath(ns), $"branch changes only {GitOpsSandbox.VsPath(ns)}: {string.Join(", ", diff.Select(d => d.Path))}", context);
            Assert(diff[0].Lines.All(l => System.Text.RegularExpressions.Regex.IsMatch(l, @"^[+-]\s+weight: \d+( # stable)?$")), $"only weight lines change: {string.Join(" | ", diff[0].Lines)}", context);
            var weights = expectedMarker[(expectedMarker.IndexOf("weights=", StringComparison.Ordinal) + 8)..].Split(',').Select(w => w.Split(':')[1]).ToList();
            var file = Sandbox.FileAt(branch, GitOpsSandbox.VsPath(ns));
            Assert(file.Contains($"weight: {weights[0]} # stable\n", StringComparison.Ordinal) && file.Contains($"weight: {weights[1]}\n", StringComparison.Ordinal), $"branch routes {expectedMarker}", context);
            Assert(Sandbox.BranchAuthors(branch).SequenceEqual(["promotion-bot@users.noreply.github.com"]), "branch is one bot commit", context);
            var labels = pr["labels"]!.AsArray().Select(l => (string)l!["name"]!).ToList();
            var kindLabel = expectedMarker.Contains("decision=rollback", StringComparison.Ordinal) ? "rollback" : "promotion";
            Assert(labels.Contains(kindLabel) && labels.Contains("canary:product-catalog"), $"labels {kindLabel}, canary:product-catalog: {string.Join(", ", labels)}", context);
            var status = GitHub.Status((string)pr["head"]!["sha"]!, GitHubPullRequests.StatusContext);
            Assert((string?)status?["state"] == "success", $"status success on the head, got {(string?)status?["state"] ?? "none"}", context);
        }
    }

    public static string Describe(IReadOnlyList<string> writes) => writes.Count == 0 ? "(no write)" : string.Join(", ", writes);

    private static void Assert(bool condition, string what, string context)
    {
        if (!condition)
        {
            throw new Xunit.Sdk.XunitException($"{context}: expected {what}");
        }
    }

    public async ValueTask DisposeAsync()
    {
        await Git.DisposeAsync();
        await Sandbox.DisposeAsync();
    }
}

/// <param name="Exit">Null when the crash stopped the cycle.</param>
internal sealed record CycleRun(int? Exit, string Output, IReadOnlyList<string> Writes, bool Crashed);
