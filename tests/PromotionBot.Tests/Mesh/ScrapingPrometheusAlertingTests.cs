using System.Collections.Concurrent;
using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Scenarios.Live;
using Scenarios.Prometheus;
using Xunit;

namespace PromotionBot.Tests.Mesh;

/// <summary>
/// ScrapingPrometheus with the repository's own alert rules and an Alertmanager: a live overflow on a canary fires
/// CanaryCircuitBreaking, and Prometheus pushes it to the configured Alertmanager address (recorded here at its v2 API).
/// </summary>
public sealed class ScrapingPrometheusAlertingTests
{
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

    [Fact]
    public async Task The_repositorys_circuit_breaking_alert_fires_on_live_overflow_and_reaches_the_alertmanager()
    {
        var service = new MeshService("ecommerce", "order-management", 9090, 50, new Dictionary<string, SubsetBehaviour>
        {
            ["v1"] = new(),
            ["v2"] = new(OverflowPerSecond: 3),
        });
        await using var mesh = await MeshSimulator.StartAsync(new MeshOptions([service], _ => new Dictionary<string, int> { ["v1"] = 80, ["v2"] = 20 }));
        await using var alertmanager = await AlertRecorder.StartAsync();
        var rules = Path.Combine(RepositoryRoot(), "infrastructure", "addons", "alerting", "canary-alerts.rules.yml");
        await using var prometheus = await ScrapingPrometheus.StartAsync([mesh.MetricsUrl], TimeSpan.FromSeconds(1), [rules], alertmanager.Url, TimeSpan.FromSeconds(1));

        Assert.Contains("honor_labels: true", await File.ReadAllTextAsync(prometheus.ConfigFile), StringComparison.Ordinal);
        // The rule group evaluates every 15 s (its own interval): the first evaluation with two samples of UO fires it (for: 0s).
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var alert = await alertmanager.FirstAsync("CanaryCircuitBreaking", timeout.Token);

        var labels = alert.GetProperty("labels");
        Assert.Equal("order-management", labels.GetProperty("destination_service_name").GetString());
        Assert.Equal("ecommerce", labels.GetProperty("destination_service_namespace").GetString());
        Assert.Equal("rollback", labels.GetProperty("promotion_bot").GetString());
        Assert.DoesNotContain(alertmanager.Received, a => a.GetProperty("labels").GetProperty("alertname").GetString() == "CanaryErrorRateHigh");
    }

    [Fact]
    public async Task A_rule_file_prometheus_refuses_fails_the_start_with_prometheus_own_words_and_leaves_nothing_behind()
    {
        var rules = Path.Combine(Path.GetTempPath(), $"broken-rules-{Guid.NewGuid():N}.yml");
        await File.WriteAllTextAsync(rules, "groups:\n- name: broken\n  rules:\n  - alert: Broken\n    expr: sum(rate(\n");
        try
        {
            var e = await Assert.ThrowsAsync<InvalidOperationException>(() =>
                ScrapingPrometheus.StartAsync([new Uri("http://127.0.0.1:9/metrics")], TimeSpan.FromSeconds(1), [rules]));

            Assert.Contains("prometheus exited", e.Message, StringComparison.Ordinal);
            Assert.Contains(Path.GetFileName(rules), e.Message, StringComparison.Ordinal);
            // Prometheus names its config file in the error: the temporary directory around it is gone.
            var config = System.Text.RegularExpressions.Regex.Match(e.Message, @"/[^\s""\\]*scenarios-scraping-prometheus-[0-9a-f]+").Value;
            Assert.StartsWith(Path.GetTempPath(), config, StringComparison.Ordinal);
            Assert.False(Directory.Exists(config), config);
        }
        finally
        {
            File.Delete(rules);
        }
    }

    /// <summary>Alertmanager's v2 API as Prometheus sees it: POST /api/v2/alerts with a JSON array of alerts, recorded.</summary>
    private sealed class AlertRecorder : IAsyncDisposable
    {
        private readonly WebApplication _app;
        private readonly ConcurrentQueue<JsonElement> _alerts = new();
        private readonly SemaphoreSlim _arrived = new(0);

        private AlertRecorder()
        {
            var builder = WebApplication.CreateSlimBuilder();
            builder.Logging.ClearProviders();
            builder.WebHost.UseKestrel(o => o.Listen(IPAddress.Loopback, 0));
            _app = builder.Build();
            _app.Run(async context =>
            {
                if (context.Request.Method == "POST" && context.Request.Path == "/api/v2/alerts")
                {
                    using var doc = await JsonDocument.ParseAsync(context.Request.Body);
                    foreach (var alert in doc.RootElement.EnumerateArray())
                    {
                        _alerts.Enqueue(alert.Clone());
                    }

                    _arrived.Release();
                    context.Response.StatusCode = StatusCodes.Status200OK;
                    return;
                }

                context.Response.StatusCode = StatusCodes.Status404NotFound;
            });
        }

        public Uri Url { get; private set; } = null!;

        public IReadOnlyList<JsonElement> Received => [.. _alerts];

        public static async Task<AlertRecorder> StartAsync()
        {
            var recorder = new AlertRecorder();
            await recorder._app.StartAsync();
            recorder.Url = new Uri(recorder._app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
            return recorder;
        }

        public async Task<JsonElement> FirstAsync(string alertName, CancellationToken ct)
        {
            while (true)
            {
                foreach (var alert in _alerts)
                {
                    if (alert.GetProperty("labels").GetProperty("alertname").GetString() == alertName)
                    {
                        return alert;
                    }
                }

                await _arrived.WaitAsync(ct);
            }
        }

        public async ValueTask DisposeAsync()
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
            _arrived.Dispose();
        }
    }
}
