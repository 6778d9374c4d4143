using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Scenarios.Live;

/// <summary>
/// Serves Istio-shaped /metrics on loopback, as a scraped sidecar fleet would, honor_labels style: every series carries
/// its own namespace/pod/app/version/... labels. Counters advance in real time from the rates of each subset's
/// <see cref="SubsetBehaviour"/>, split by the LIVE weights asked at every scrape. Nothing is really requested: a scrape
/// costs the same at 10 or 10 000 requests per second.
/// </summary>
public sealed class MeshSimulator : IAsyncDisposable
{
    private readonly Lock _gate = new();
    private readonly WebApplication _app;
    private readonly MeshOptions _options;
    private readonly TimeProvider _time;
    private readonly Dictionary<string, SimulatedService> _services = new(StringComparer.Ordinal);
    private long _scrapes;

    private MeshSimulator(MeshOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(options.LiveWeights);
        _options = options;
        _time = options.Time ?? TimeProvider.System;
        var start = _time.GetUtcNow();
        foreach (var service in options.Services)
        {
            if (!_services.TryAdd(service.Name, new SimulatedService(service, start)))
            {
                throw new ArgumentException($"service name '{service.Name}' appears twice: behaviours and live weights are looked up by name", nameof(options));
            }
        }

        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(o => o.Listen(IPAddress.Loopback, 0));
        _app = builder.Build();
        _app.Run(HandleAsync);
    }

    /// <summary>http://127.0.0.1:&lt;port&gt;/metrics</summary>
    public Uri MetricsUrl { get; private set; } = null!;

    /// <summary>Scrapes served so far.</summary>
    public long Scrapes => Interlocked.Read(ref _scrapes);

    public IReadOnlyList<MeshService> Services => _options.Services;

    public static async Task<MeshSimulator> StartAsync(MeshOptions options, CancellationToken cancellationToken = default)
    {
        var simulator = new MeshSimulator(options);
        await simulator._app.StartAsync(cancellationToken);
        var address = simulator._app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        simulator.MetricsUrl = new Uri(new Uri(address), "/metrics");
        return simulator;
    }

    /// <summary>Changes a subset's behaviour, effective at once: what happened so far is counted with the old one.</summary>
    public void SetBehaviour(string service, string subset, SubsetBehaviour behaviour)
    {
        ArgumentNullException.ThrowIfNull(behaviour);
        var s = Service(service);
        lock (_gate)
        {
            s.SetBehaviour(subset, behaviour, _time.GetUtcNow());
        }
    }

    public SubsetBehaviour GetBehaviour(string service, string subset)
    {
        var s = Service(service);
        lock (_gate)
        {
            return s.Behaviour(subset);
        }
    }

    /// <summary>The exposition a scrape gets now (what /metrics serves).</summary>
    public string Render()
    {
        // Weights first, outside the lock: the provider may ask a (test) API server.
        var weights = _services.Keys.ToDictionary(name => name, Weights, StringComparer.Ordinal);
        var exposition = new Exposition();
        lock (_gate)
        {
            var now = _time.GetUtcNow();
            foreach (var (name, service) in _services)
            {
                service.Advance(now, weights[name].Known ? weights[name].Weights : service.LastWeights);
                service.Write(exposition);
            }
        }

        return exposition.ToString();
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private (bool Known, IReadOnlyDictionary<string, int>? Weights) Weights(string service)
    {
        try
        {
            return (true, _options.LiveWeights(service));
        }
#pragma warning disable CA1031 // Any failure of the provider keeps the split in force, as a sidecar keeps its last config.
        catch (Exception)
#pragma warning restore CA1031
        {
            return (false, null);
        }
    }

    private SimulatedService Service(string name) =>
        _services.GetValueOrDefault(name)
        ?? throw new ArgumentException($"no service '{name}' in the simulated mesh (known: {string.Join(", ", _services.Keys)})", nameof(name));

    private async Task HandleAsync(HttpContext context)
    {
        if (context.Request.Path != "/metrics" || !HttpMethods.IsGet(context.Request.Method))
        {
            context.Response.StatusCode = StatusCodes.Status404NotFound;
            return;
        }

        var body = Render();
        Interlocked.Increment(ref _scrapes);
        context.Response.ContentType = Exposition.ContentType;
        await context.Response.WriteAsync(body, context.RequestAborted);
    }
}
