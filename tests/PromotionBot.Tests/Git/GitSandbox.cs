using PromotionBot.Git;

namespace PromotionBot.Tests.Git;

/// <summary>
/// A temp folder with a real bare remote (seeded with two commits on main) that "humans" commit to through
/// `git fast-import` (one process per commit keeps the tests fast), and a cache folder for the bot. Deleted on dispose.
/// </summary>
internal sealed class GitSandbox : IDisposable
{
    public const string VsPath = "apps/ecommerce/product-catalog/virtual-service.yaml";
    public const string Token = "ghs_TestTokenThatMustNeverLeak0123456789";

    public GitSandbox()
    {
        Root = Path.Combine(Path.GetTempPath(), "pb-git-" + Guid.NewGuid().ToString("N")[..10]);
        ServedRoot = Path.Combine(Root, "srv");
        Remote = Path.Combine(ServedRoot, "gitops.git");
        Cache = Path.Combine(Root, "cache");
        Directory.CreateDirectory(ServedRoot);
        GitCli.Run(Root, "init", "--quiet", "--bare", "-b", "main", Remote);
        var import = new FastImport();
        import.Commit("main", "Initial layout", new() { ["README.md"] = "# gitops\n", [VsPath] = Weights(100, 0) });
        import.Commit("main", "Add kustomization", new() { ["apps/ecommerce/kustomization.yaml"] = "resources: []\n" });
        import.Run(Remote);
    }

    public string Root { get; }

    public string ServedRoot { get; }

    public string Remote { get; }

    public string Cache { get; }

    public ListLogger<GitWorkspace> Log { get; } = new();

    public static string Weights(int stable, int canary) =>
        $"apiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata:\n  name: product-catalog\nspec:\n  http:\n  - route:\n" +
        $"    - destination: {{host: product-catalog, subset: v1}}\n      weight: {stable}\n" +
        $"    - destination: {{host: product-catalog, subset: v2}}\n      weight: {canary}\n";

    public GitWorkspace Workspace(string? remoteUrl = null, string? token = null) =>
        new(new GitOptions(remoteUrl ?? Remote, "main", Cache, token), Log)
        {
            RetryBaseDelay = TimeSpan.Zero,
        };

    public static ProposedChange Change(int stable, int canary, string branch = "promotion/product-catalog") => new(
        branch,
        new Dictionary<string, string> { [VsPath] = Weights(stable, canary) },
        $"product-catalog: shift canary v2 to {canary}%",
        "Advance: v2 error rate 0.1% <= 1%, p99 120ms <= 500ms over 10m.",
        new Dictionary<string, string> { ["Promotion-Canary"] = "ecommerce/product-catalog", ["Promotion-Decision"] = "advance" });

    public string RemoteHead(string branch) => GitCli.Head(Remote, branch) ?? throw new InvalidOperationException($"no {branch}");

    /// <summary>A human commit on <paramref name="branch"/> of the remote (created from main if absent).</summary>
    public string HumanCommit(string branch, string path, string content, string message = "Human edit")
    {
        var parent = GitCli.Head(Remote, branch) ?? RemoteHead("main");
        var import = new FastImport();
        import.Commit(branch, message, new() { [path] = content }, parent);
        import.Run(Remote);
        return RemoteHead(branch);
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
            // Best effort: a leftover temp folder must not fail a test.
        }
    }
}
