using LibGit2Sharp;
using PromotionBot.Tests.GitHub;

namespace PromotionBot.Tests.PullRequests;

/// <summary>
/// A generated GitOps repository as a real bare remote on disk (policy + VirtualService + DestinationRule per canary), the bot's cache
/// folder, and the local GitHub API server whose PR heads come from that remote. Deleted on dispose.
/// </summary>
public sealed class GitOpsSandbox : IAsyncDisposable
{
    public const string Owner = "acme";
    public const string Repo = "gitops";
    public const string Token = "ghp_E2eSecretTokenNeverPrinted0123456789";

    private GitOpsSandbox(string root)
    {
        Root = root;
        Remote = Path.Combine(root, "gitops.git");
        Cache = Path.Combine(root, "cache");
        Repository.Init(Remote, isBare: true);
        // The default branch of the remote is main (libgit2 initialises HEAD to master).
        File.WriteAllText(Path.Combine(Remote, "HEAD"), "ref: refs/heads/main\n");
    }

    public string Root { get; }

    public string Remote { get; }

    public string Cache { get; }

    public GitHubTestServer GitHub { get; private set; } = null!;

    /// <summary>A repo with one canary per namespace, each at the given weights.</summary>
    public static async Task<GitOpsSandbox> CreateAsync(params (string Namespace, int V1, int V2)[] canaries)
    {
        var sandbox = new GitOpsSandbox(Path.Combine(Path.GetTempPath(), "pb-pr-" + Guid.NewGuid().ToString("N")[..10]));
        var files = new Dictionary<string, string> { ["README.md"] = "# gitops\n" };
        foreach (var (ns, v1, v2) in canaries)
        {
            files[PolicyPath(ns)] = Policy(ns);
            files[VsPath(ns)] = VirtualService(ns, v1, v2);
            files[$"apps/{ns}/product-catalog/destination-rule.yaml"] = DestinationRule(ns);
        }

        sandbox.Commit("main", "Initial layout", files);
        sandbox.GitHub = await GitHubTestServer.StartAsync(Owner, Repo, sandbox.Remote);
        sandbox.GitHub.AcceptToken(Token);
        return sandbox;
    }

    public static string PolicyPath(string ns) => $"apps/{ns}/product-catalog/promotion-policy.yaml";

    public static string VsPath(string ns) => $"apps/{ns}/product-catalog/virtualservice.yaml";

    public static string Branch(string ns) => $"promotion/{ns}/product-catalog";

    public static string Policy(string ns) => $"""
        # Promotion policy read by the promotion bot.
        apiVersion: promotion.gitops.dev/v1alpha1
        kind: PromotionPolicy
        metadata:
          name: product-catalog
        spec:
          target:
            namespace: {ns}
            service: product-catalog
          virtualService:
            file: virtualservice.yaml
            name: product-catalog
          subsets:
            stable: v1
            canary: v2
          steps: [20, 50, 100]
          analysis:
            window: 10m
            minRequests: 100
            maxErrorRate: 0.01
            maxP99LatencyMs: 500

        """;

    /// <summary>Both subsets with the circuit breaker the policy's default circuit-breaking checks need.</summary>
    public static string DestinationRule(string ns) => $"""
        apiVersion: networking.istio.io/v1
        kind: DestinationRule
        metadata:
          name: product-catalog
          namespace: {ns}
        spec:
          host: product-catalog
          trafficPolicy:
            connectionPool:
              http:
                http1MaxPendingRequests: 10
            outlierDetection:
              consecutive5xxErrors: 5
          subsets:
          - name: v1
            labels:
              version: v1
          - name: v2
            labels:
              version: v2

        """;

    public static string VirtualService(string ns, int v1, int v2) => $"""
        # Canary split of product-catalog; weights are changed by promotion-bot pull requests.
        apiVersion: networking.istio.io/v1
        kind: VirtualService
        metadata:
          name: product-catalog
          namespace: {ns}
        spec:
          hosts:
          - product-catalog
          http:
          - name: primary
            route:
            - destination:
                host: product-catalog
                subset: v1
              weight: {v1} # stable
            - destination:
                host: product-catalog
                subset: v2
              weight: {v2}

        """;

    /// <summary>A person's commit on <paramref name="branch"/> of the remote (on top of its tip).</summary>
    public string Commit(string branch, string message, IReadOnlyDictionary<string, string> files, string author = "A Human", string email = "human@example.com")
    {
        using var repo = new Repository(Remote);
        var parent = repo.Branches[branch]?.Tip;
        var definition = parent is null ? new TreeDefinition() : TreeDefinition.From(parent.Tree);
        foreach (var (path, content) in files)
        {
            using var stream = new MemoryStream(System.Text.Encoding.UTF8.GetBytes(content));
            definition.Add(path, repo.ObjectDatabase.CreateBlob(stream), Mode.NonExecutableFile);
        }

        var tree = repo.ObjectDatabase.CreateTree(definition);
        var signature = new Signature(author, email, DateTimeOffset.UtcNow);
        var commit = repo.ObjectDatabase.CreateCommit(signature, signature, message, tree, parent is null ? [] : [parent], prettifyMessage: true);
        if (repo.Refs[$"refs/heads/{branch}"] is { } existing)
        {
            repo.Refs.UpdateTarget(existing, commit.Id);
        }
        else
        {
            repo.Refs.Add($"refs/heads/{branch}", commit.Id);
        }
        return commit.Sha;
    }

    /// <summary>A person's commit on <paramref name="branch"/> that deletes <paramref name="paths"/>.</summary>
    public string Remove(string branch, string message, params string[] paths)
    {
        using var repo = new Repository(Remote);
        var parent = repo.Branches[branch].Tip;
        var definition = TreeDefinition.From(parent.Tree);
        foreach (var path in paths)
        {
            definition.Remove(path);
        }

        var signature = new Signature("A Human", "human@example.com", DateTimeOffset.UtcNow);
        var commit = repo.ObjectDatabase.CreateCommit(signature, signature, message, repo.ObjectDatabase.CreateTree(definition), [parent], prettifyMessage: true);
        repo.Refs.UpdateTarget(repo.Refs[$"refs/heads/{branch}"], commit.Id);
        return commit.Sha;
    }

    /// <summary>Names of the remote's branches starting with <paramref name="prefix"/>.</summary>
    public IReadOnlyList<string> Branches(string prefix = "promotion/")
    {
        using var repo = new Repository(Remote);
        return repo.Branches.Select(b => b.FriendlyName).Where(n => n.StartsWith(prefix, StringComparison.Ordinal)).Order(StringComparer.Ordinal).ToList();
    }

    public string? Head(string branch)
    {
        using var repo = new Repository(Remote);
        return repo.Branches[branch]?.Tip?.Sha;
    }

    public string FileAt(string branch, string path)
    {
        using var repo = new Repository(Remote);
        return ((Blob)repo.Branches[branch].Tip[path].Target).GetContentText();
    }

    /// <summary>Lines added/removed between the tip of main and the tip of <paramref name="branch"/>, per file.</summary>
    public IReadOnlyList<(string Path, IReadOnlyList<string> Lines)> DiffFromMain(string branch)
    {
        using var repo = new Repository(Remote);
        var patch = repo.Diff.Compare<Patch>(repo.Branches["main"].Tip.Tree, repo.Branches[branch].Tip.Tree);
        return patch.Select(p => (p.Path, (IReadOnlyList<string>)p.Patch.Split('\n')
            .Where(l => (l.StartsWith('+') || l.StartsWith('-')) && !l.StartsWith("+++", StringComparison.Ordinal) && !l.StartsWith("---", StringComparison.Ordinal))
            .ToList())).ToList();
    }

    /// <summary>Author emails of the commits on <paramref name="branch"/> that are not on main.</summary>
    public IReadOnlyList<string> BranchAuthors(string branch)
    {
        using var repo = new Repository(Remote);
        return repo.Commits.QueryBy(new CommitFilter { IncludeReachableFrom = repo.Branches[branch], ExcludeReachableFrom = repo.Branches["main"] })
            .Select(c => c.Author.Email).ToList();
    }

    public async ValueTask DisposeAsync()
    {
        await GitHub.DisposeAsync();
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
            // Best effort: a leftover temp folder must not fail a test.
        }
        catch (UnauthorizedAccessException)
        {
            // libgit2 marks pack files read-only on some systems.
        }
    }
}
