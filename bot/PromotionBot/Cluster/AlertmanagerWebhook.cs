using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace PromotionBot.Cluster;

/// <summary>
/// <c>POST /hooks/alertmanager</c>: the rollback fast path. Firing alerts that name a canary's service start an
/// immediate cycle for those canaries (at most one per canary per 10 s) and the answer is 202 at once; the cycle,
/// not the alert, decides. Without Alerting:WebhookToken the endpoint does not exist (404).
/// </summary>
public static class AlertmanagerWebhook
{
    public const string Path = "/hooks/alertmanager";
    public const string TokenKey = "Alerting:WebhookToken";

    /// <summary>Alertmanager batches alerts per group; far below this even for large groups.</summary>
    public const int MaxBodyBytes = 1024 * 1024;

    /// <summary>Registers what the endpoint needs besides the worker's <see cref="Worker.CycleTrigger"/>.</summary>
    public static IServiceCollection AddAlertmanagerWebhook(this IServiceCollection services)
    {
        services.AddSingleton<CanaryDirectory>();
        services.AddSingleton(sp => new TriggerThrottle(sp.GetService<TimeProvider>() ?? TimeProvider.System, TriggerThrottle.DefaultInterval));
        return services;
    }

    public static IEndpointConventionBuilder MapAlertmanagerWebhook(this IEndpointRouteBuilder endpoints) =>
        endpoints.MapPost(Path, HandleAsync);

    private static async Task<IResult> HandleAsync(HttpContext http, IConfiguration config, CanaryDirectory directory, TriggerThrottle throttle,
        Worker.CycleTrigger trigger, ILoggerFactory logs)
    {
        if (Token(config) is not { } token)
        {
            return Results.NotFound();
        }

        if (!Authorized(http.Request.Headers.Authorization.ToString(), token))
        {
            return Results.Unauthorized();
        }

        var body = await ReadBoundedAsync(http.Request, http.RequestAborted);
        if (body is null)
        {
            return Results.StatusCode(StatusCodes.Status413PayloadTooLarge);
        }

        if (AlertPayload.TryParse(body) is not { } payload)
        {
            return Results.BadRequest(new { error = "not an Alertmanager webhook payload (JSON object with an alerts array)" });
        }

        var matched = payload.Alerts
            .Where(a => a.IsFiring)
            .Select(a => a.Service)
            .OfType<(string Namespace, string Service)>()
            .SelectMany(s => directory.Find(s.Namespace, s.Service))
            .Distinct(StringComparer.Ordinal)
            .Order(StringComparer.Ordinal)
            .ToList();
        var triggered = matched.Where(throttle.TryAcquire).ToList();
        var throttled = matched.Except(triggered).ToList();
        if (triggered.Count > 0)
        {
            trigger.Request(triggered);
        }

        logs.CreateLogger(typeof(AlertmanagerWebhook).FullName!).LogInformation(
            "Alertmanager webhook: {Alerts} alerts, immediate cycle for [{Triggered}], throttled [{Throttled}]",
            payload.Alerts.Count, string.Join(", ", triggered), string.Join(", ", throttled));
        return Results.Json(new { triggered, throttled }, statusCode: StatusCodes.Status202Accepted);
    }

    /// <summary>Alerting:WebhookToken, read on every request so a rotated Secret needs no restart; null = endpoint off.</summary>
    public static string? Token(IConfiguration config) => string.IsNullOrWhiteSpace(config[TokenKey]) ? null : config[TokenKey]!.Trim();

    /// <summary>Constant time: hashing first makes the comparison independent of where (and whether) lengths differ.</summary>
    private static bool Authorized(string header, string token)
    {
        const string scheme = "Bearer ";
        var presented = header.StartsWith(scheme, StringComparison.OrdinalIgnoreCase) ? header[scheme.Length..].Trim() : "";
        return CryptographicOperations.FixedTimeEquals(
            SHA256.HashData(Encoding.UTF8.GetBytes(presented)),
            SHA256.HashData(Encoding.UTF8.GetBytes(token)));
    }

    /// <summary>The body, or null when it exceeds <see cref="MaxBodyBytes"/> (never buffered beyond that).</summary>
    private static async Task<byte[]?> ReadBoundedAsync(HttpRequest request, CancellationToken ct)
    {
        if (request.ContentLength > MaxBodyBytes)
        {
            return null;
        }

        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, ct)) > 0)
        {
            if (buffer.Length + read > MaxBodyBytes)
            {
                return null;
            }

            buffer.Write(chunk, 0, read);
        }

        return buffer.ToArray();
    }
}
