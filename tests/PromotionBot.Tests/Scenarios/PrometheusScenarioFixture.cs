using Scenarios;
using Scenarios.Prometheus;
using Xunit;

namespace PromotionBot.Tests.Scenarios;

/// <summary>One real Prometheus, backfilled once with every scenario of <see cref="ScenarioCatalog"/>, shared by the collection.</summary>
public sealed class PrometheusScenarioFixture : IAsyncLifetime
{
    private PrometheusServer? _server;

    public ScenarioSet Scenarios { get; } = ScenarioCatalog.Build();

    public PrometheusServer Server => _server ?? throw new InvalidOperationException("fixture not started");

    public Uri BaseUrl => Server.BaseUrl;

    public DateTimeOffset At => Scenarios.At;

    public async Task InitializeAsync() => _server = await PrometheusServer.StartAsync(Scenarios);

    public async Task DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }
}

[CollectionDefinition(Name)]
public sealed class PrometheusScenarioCollection : ICollectionFixture<PrometheusScenarioFixture>
{
    public const string Name = "prometheus-scenarios";
}
