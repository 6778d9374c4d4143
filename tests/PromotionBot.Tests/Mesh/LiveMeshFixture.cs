using System.Collections.Concurrent;
using PromotionBot.Configuration;
using PromotionBot.Manifest;
using PromotionBot.Metrics;
using PromotionBot.Policy;
using Scenarios.Live;
using Scenarios.Prometheus;
using Xunit;

namespace PromotionBot.Tests.Mesh;

/// <summary>
/// One simulated mesh scraped every second by a real Prometheus, shared by the live-mesh tests. Each test owns its own
/// service (a renamed copy of a shipped canary's policy, time compressed ×20 as the demo runs it), so one fixture serves
/// them all and the data they need accumulates once, in parallel.
/// </summary>
public sealed class LiveMeshFixture : IAsyncLifetime
{
    public const string Namespace = "ecommerce";

    /// <summary>The demo's compression: order-management's 5m window / 1m interval become 15s / 3s, maxStaleness 2m → 6s.</summary>
    public const int TimeScale = 20;

    private static readonly SubsetBehaviour Healthy = new(ErrorRatio: 0, LatencyMs: 30);

    /// <summary>Live weights per service; a test may change them (what Argo CD's sync does in the demo).</summary>
    public ConcurrentDictionary<string, IReadOnlyDictionary<string, int>> Weights { get; } = new(StringComparer.Ordinal);

    public MeshSimulator Mesh { get; private set; } = null!;

    public ScrapingPrometheus Prometheus { get; private set; } = null!;

    /// <summary>When Prometheus first had data of every service.</summary>
    public DateTimeOffset Started { get; private set; }

    public static IReadOnlyList<MeshService> Services { get; } =
    [
        // Healthy, 80/20, enough canary traffic for the v2-against-v1 comparison to conclude within a 15 s window.
        Service("orders-split", 1000, Healthy, Healthy with { Pods = 2 }),
        Service("orders-5xx", 200, Healthy, Healthy with { ErrorRatio = 0.2 }),
        // Healthy until its test breaks it.
        Service("orders-breaker", 200, Healthy, Healthy),
        Service("orders-crashed", 200, Healthy, Healthy with { Crashed = true }),
        // No weights until a test sets them: everything goes to v1.
        Service("orders-switch", 200, Healthy, Healthy),
        // The demo's mesh as it starts: product-catalog and order-management at 80/20, everything healthy.
        .. TutorialMesh.Services(),
    ];

    public async Task InitializeAsync()
    {
        foreach (var name in new[] { "orders-split", "orders-breaker", "orders-crashed", "product-catalog", "order-management" })
        {
            Weights[name] = new Dictionary<string, int> { ["v1"] = 80, ["v2"] = 20 };
        }

        Weights["orders-5xx"] = new Dictionary<string, int> { ["v1"] = 50, ["v2"] = 50 };
        Mesh = await MeshSimulator.StartAsync(new MeshOptions(Services, name => Weights.GetValueOrDefault(name)));
        Prometheus = await ScrapingPrometheus.StartAsync([Mesh.MetricsUrl], TimeSpan.FromSeconds(1));
        Started = DateTimeOffset.UtcNow;
    }

    public async Task DisposeAsync()
    {
        if (Prometheus is not null)
        {
            await Prometheus.DisposeAsync();
        }

        if (Mesh is not null)
        {
            await Mesh.DisposeAsync();
        }
    }

    /// <summary>Waits until Prometheus holds <paramref name="history"/> of data (no-op once it does).</summary>
    public Task HistoryAsync(TimeSpan history)
    {
        var wait = Started + history - DateTimeOffset.UtcNow;
        return wait > TimeSpan.Zero ? Task.Delay(wait) : Task.CompletedTask;
    }

    /// <summary>Enough history for every slot the reader asks: the window at each of failureThreshold interval ends, and failureThreshold + 1 intervals of membership.</summary>
    public static TimeSpan FullHistory(CanaryPolicy p)
    {
        var a = p.Analysis;
        var windows = a.Window + (a.Interval * (a.FailureThreshold - 1));
        var membership = a.Interval * (a.FailureThreshold + 1);
        return (windows > membership ? windows : membership) + TimeSpan.FromSeconds(2);
    }

    /// <summary>The shipped order-management policy (loaded and checked against its DestinationRule), time compressed, for <paramref name="service"/>.</summary>
    public static CanaryPolicy OrderManagementPolicy(string service) => Shipped("apps/ecommerce/components/order-management-canary/promotion-policy.yaml", service);

    /// <summary>The shipped product-catalog policy (v2 against v1 at 95 %, no circuit-breaking checks), time compressed.</summary>
    public static CanaryPolicy ProductCatalogPolicy(string service) => Shipped("apps/ecommerce/components/product-catalog-canary/promotion-policy.yaml", service);

    /// <summary>Every canary's signals now, read as the bot reads them.</summary>
    public async Task<IReadOnlyDictionary<CanaryPolicy, CanarySignals>> ReadAsync(params CanaryPolicy[] policies)
    {
        using var http = new HttpClient();
        var reader = new SignalReader(new PrometheusClient(http, new PrometheusOptions { Url = Prometheus.BaseUrl.ToString(), Retries = 0 }));
        return await reader.ReadAsync(policies, DateTimeOffset.UtcNow, CancellationToken.None);
    }

    /// <summary>An instant query now, for what the reader does not expose (raw series and their labels).</summary>
    public async Task<IReadOnlyList<Sample>> QueryAsync(string promql)
    {
        using var http = new HttpClient();
        var client = new PrometheusClient(http, new PrometheusOptions { Url = Prometheus.BaseUrl.ToString(), Retries = 0 });
        return await client.QueryAsync(promql, DateTimeOffset.UtcNow, CancellationToken.None);
    }

    /// <summary>The weights in git the verdict starts from (the same as the live ones here).</summary>
    public static RouteWeights GitWeights(int v1, int v2) => new("virtualservice.yaml", [new("v1", v1, 19, 15), new("v2", v2, 23, 15)]);

    private static MeshService Service(string name, double rps, SubsetBehaviour v1, SubsetBehaviour v2) =>
        new(Namespace, name, 9090, rps, new Dictionary<string, SubsetBehaviour> { ["v1"] = v1, ["v2"] = v2 });

    private static CanaryPolicy Shipped(string path, string service)
    {
        var p = PolicyLoader.Load(RepositoryRoot(), path);
        var a = p.Analysis;
        return p with
        {
            Name = service,
            Service = service,
            Analysis = a with { Window = a.Window / TimeScale, Interval = a.Interval / TimeScale, MaxStaleness = a.MaxStaleness / TimeScale },
        };
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

[CollectionDefinition(Name)]
public sealed class LiveMeshCollection : ICollectionFixture<LiveMeshFixture>
{
    public const string Name = "live-mesh";
}
