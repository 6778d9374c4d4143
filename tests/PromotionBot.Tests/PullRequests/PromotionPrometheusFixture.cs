using Scenarios;
using Scenarios.Prometheus;
using Xunit;

namespace PromotionBot.Tests.PullRequests;

/// <summary>
/// One real Prometheus backfilled with the telemetry the pull-request tests judge, shared by the collection.
/// Each situation lives in its own namespace; canaries in the generated GitOps repos point at one of them.
/// </summary>
public sealed class PromotionPrometheusFixture : IAsyncLifetime
{
    /// <summary>v2 healthy at 80/20 for the whole window: the bot advances (or promotes from 50).</summary>
    public const string Healthy = "pr-healthy";

    /// <summary>Healthy until 8 minutes before <see cref="At"/>, then 5xx and outlier ejection on v2.</summary>
    public const string TurnsBad = "pr-turns-bad";

    /// <summary>v2 serves a trickle: too little traffic to judge, the bot holds.</summary>
    public const string Trickle = "pr-trickle";

    private PrometheusServer? _server;

    public ScenarioSet Scenarios { get; } = Build();

    public DateTimeOffset At => Scenarios.At;

    /// <summary>When <see cref="TurnsBad"/> still looks healthy over its whole 10-minute window.</summary>
    public DateTimeOffset BeforeTrouble => At.AddMinutes(-10);

    public Uri BaseUrl => (_server ?? throw new InvalidOperationException("not started")).BaseUrl;

    public async Task InitializeAsync() => _server = await PrometheusServer.StartAsync(Scenarios);

    public async Task DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }

    private static ScenarioSet Build()
    {
        var set = new ScenarioSet { NamespaceNoise = false };
        Healthy80To20(set.Canary(new CanaryTarget(Healthy, "product-catalog", 3001)));
        Healthy80To20(set.Canary(new CanaryTarget(TurnsBad, "product-catalog", 3001)))
            .Starts(TimeSpan.FromMinutes(30))
            .LastMinutes(8, "v2", t => t with { ErrorRatio = 0.4, ErrorCode = 503, EjectedHosts = 1 });
        Healthy80To20(set.Canary(new CanaryTarget(Trickle, "product-catalog", 3001))).Traffic("v2", 0.02, latencyMs: 35);
        return set;
    }

    // About 6000 v2 requests per 10 minutes: enough for the v2-versus-v1 comparison to show that a healthy v2 is no worse.
    private static CanaryScenario Healthy80To20(CanaryScenario c) =>
        c.Traffic("v1", 40, errorRatio: 0.001, latencyMs: 30).Traffic("v2", 10, errorRatio: 0.001, latencyMs: 35);
}

[CollectionDefinition(Name)]
public sealed class PromotionPrometheusCollection : ICollectionFixture<PromotionPrometheusFixture>
{
    public const string Name = "promotion-prometheus";
}
