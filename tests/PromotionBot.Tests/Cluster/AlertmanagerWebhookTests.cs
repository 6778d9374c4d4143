using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using PromotionBot.Cluster;
using PromotionBot.Policy;
using PromotionBot.Tests.GitHub;
using PromotionBot.Tests.PullRequests;
using PromotionBot.Worker;
using Xunit;

namespace PromotionBot.Tests.Cluster;

/// <summary>The webhook on a real Kestrel host over loopback HTTP, as Alertmanager would call it.</summary>
public sealed class AlertmanagerWebhookTests
{
    private const string Secret = "alertmanager-shared-secret-42";

    /// <summary>The worker's real trigger; the test takes its pending requests the way the worker loop does.</summary>
    private sealed class RecordingTrigger(CycleTrigger trigger)
    {
        private readonly List<string[]> _calls = [];

        public CycleTrigger Real => trigger;

        public IReadOnlyList<string[]> Calls
        {
            get
            {
                // One request per webhook call here: each call is taken before the next one is made.
                while (trigger.TryTakeAll(out var canaries))
                {
                    _calls.Add([.. (canaries ?? new HashSet<string>()).Order(StringComparer.Ordinal)]);
                }

                return _calls;
            }
        }
    }

    private sealed class Host : IAsyncDisposable
    {
        public required WebApplication App { get; init; }

        public required HttpClient Http { get; init; }

        public required RecordingTrigger Trigger { get; init; }

        public required ManualClock Clock { get; init; }

        public async ValueTask DisposeAsync()
        {
            Http.Dispose();
            await App.StopAsync();
            await App.DisposeAsync();
        }
    }

    private static CanaryPolicy Policy(string ns, string service) =>
        PolicyLoader.Parse("apps/p.yaml", GitOpsSandbox.Policy(ns).Replace("product-catalog", service, StringComparison.Ordinal));

    private static async Task<Host> StartAsync(string? token = Secret)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(o => o.Listen(IPAddress.Loopback, 0));
        if (token is not null)
        {
            builder.Configuration[AlertmanagerWebhook.TokenKey] = token;
        }

        var trigger = new RecordingTrigger(new CycleTrigger());
        var clock = new ManualClock(new DateTimeOffset(2026, 11, 30, 12, 0, 0, TimeSpan.Zero));
        builder.Services.AddSingleton<TimeProvider>(clock);
        builder.Services.AddSingleton(trigger.Real);
        builder.Services.AddAlertmanagerWebhook();
        var app = builder.Build();
        app.MapAlertmanagerWebhook();
        app.Services.GetRequiredService<CanaryDirectory>().Update([
            Policy("ecommerce", "product-catalog"), Policy("ecommerce", "order-management"), Policy("shop", "product-catalog"),
        ]);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new Host { App = app, Http = new HttpClient { BaseAddress = new Uri(address) }, Trigger = trigger, Clock = clock };
    }

    private static JsonObject Alert(string status, params (string Key, string Value)[] labels)
    {
        var l = new JsonObject { ["alertname"] = "CanaryErrorRateHigh", ["severity"] = "critical" };
        foreach (var (k, v) in labels)
        {
            l[k] = v;
        }

        return new JsonObject
        {
            ["status"] = status,
            ["labels"] = l,
            ["annotations"] = new JsonObject { ["summary"] = "v2 5xx above 5%" },
            ["startsAt"] = "2026-11-30T11:58:00Z",
            ["endsAt"] = "0001-01-01T00:00:00Z",
            ["generatorURL"] = "http://prometheus:9090/graph",
            ["fingerprint"] = Guid.NewGuid().ToString("N")[..16],
        };
    }

    private static string Notification(params JsonObject[] alerts) => new JsonObject
    {
        ["version"] = "4",
        ["groupKey"] = "{}:{alertname=\"CanaryErrorRateHigh\"}",
        ["truncatedAlerts"] = 0,
        ["status"] = "firing",
        ["receiver"] = "promotion-bot",
        ["groupLabels"] = new JsonObject { ["alertname"] = "CanaryErrorRateHigh" },
        ["commonLabels"] = new JsonObject(),
        ["commonAnnotations"] = new JsonObject(),
        ["externalURL"] = "http://alertmanager:9093",
        ["alerts"] = new JsonArray(alerts),
    }.ToJsonString();

    private static async Task<HttpResponseMessage> PostAsync(Host host, string body, string? token = Secret)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, AlertmanagerWebhook.Path)
        {
            Content = new StringContent(body, Encoding.UTF8, "application/json"),
        };
        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        return await host.Http.SendAsync(request);
    }

    private static readonly string ProductCatalogFiring = Notification(Alert("firing",
        ("destination_service_namespace", "ecommerce"), ("destination_service_name", "product-catalog")));

    [Fact]
    public async Task Without_a_configured_token_the_endpoint_does_not_exist()
    {
        await using var host = await StartAsync(token: null);

        using var response = await PostAsync(host, ProductCatalogFiring, token: "anything");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Empty(host.Trigger.Calls);
    }

    [Fact]
    public async Task Wrong_or_missing_token_is_unauthorized()
    {
        await using var host = await StartAsync();

        using var wrong = await PostAsync(host, ProductCatalogFiring, token: Secret + "x");
        using var missing = await PostAsync(host, ProductCatalogFiring, token: null);

        Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, missing.StatusCode);
        Assert.Empty(host.Trigger.Calls);
    }

    [Fact]
    public async Task Bad_json_or_a_body_that_is_not_a_notification_is_a_bad_request_and_runs_nothing()
    {
        await using var host = await StartAsync();

        using var broken = await PostAsync(host, "{\"alerts\": [");
        using var shape = await PostAsync(host, "{\"status\": \"firing\"}");
        using var huge = await PostAsync(host, Notification(Alert("firing", ("padding", new string('x', AlertmanagerWebhook.MaxBodyBytes)))));

        Assert.Equal(HttpStatusCode.BadRequest, broken.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, shape.StatusCode);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, huge.StatusCode);
        Assert.Empty(host.Trigger.Calls);
    }

    [Fact]
    public async Task Firing_alert_triggers_an_immediate_cycle_for_the_named_canary_only()
    {
        await using var host = await StartAsync();
        var body = Notification(
            Alert("firing", ("destination_service_namespace", "ecommerce"), ("destination_service_name", "product-catalog")),
            Alert("resolved", ("destination_service_namespace", "ecommerce"), ("destination_service_name", "order-management")),
            Alert("firing", ("namespace", "ecommerce"), ("service", "no-canary-here")));

        using var response = await PostAsync(host, body);

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var call = Assert.Single(host.Trigger.Calls);
        Assert.Equal(["ecommerce/product-catalog"], call);
        var answer = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        Assert.Equal("ecommerce/product-catalog", (string)answer["triggered"]![0]!);
    }

    [Fact]
    public async Task Plain_namespace_and_service_labels_name_a_canary_too()
    {
        await using var host = await StartAsync();

        using var response = await PostAsync(host, Notification(Alert("firing", ("namespace", "ecommerce"), ("service", "order-management"))));

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        Assert.Equal(["ecommerce/order-management"], Assert.Single(host.Trigger.Calls));
    }

    [Fact]
    public async Task At_most_one_cycle_per_canary_per_ten_seconds()
    {
        await using var host = await StartAsync();
        var orderManagement = Notification(Alert("firing", ("destination_service_namespace", "ecommerce"), ("destination_service_name", "order-management")));

        using var first = await PostAsync(host, ProductCatalogFiring);
        Assert.Single(host.Trigger.Calls);
        host.Clock.Advance(TimeSpan.FromSeconds(9));
        using var repeat = await PostAsync(host, ProductCatalogFiring);
        using var other = await PostAsync(host, orderManagement);
        Assert.Equal(2, host.Trigger.Calls.Count);
        host.Clock.Advance(TimeSpan.FromSeconds(1));
        using var later = await PostAsync(host, ProductCatalogFiring);

        Assert.All([first, repeat, other, later], r => Assert.Equal(HttpStatusCode.Accepted, r.StatusCode));
        Assert.Equal("ecommerce/product-catalog", (string)JsonNode.Parse(await repeat.Content.ReadAsStringAsync())!["throttled"]![0]!);
        Assert.Equal([["ecommerce/product-catalog"], ["ecommerce/order-management"], ["ecommerce/product-catalog"]], host.Trigger.Calls);
    }
}
