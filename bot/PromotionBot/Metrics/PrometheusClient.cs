using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Polly;
using Polly.Retry;
using PromotionBot.Configuration;

namespace PromotionBot.Metrics;

/// <summary>
/// Thin client of the Prometheus HTTP API (instant and range queries) with precise errors. Registered as a typed
/// HttpClient; transient failures (connection errors, per-request timeout, 408/429/502/503/504, Prometheus
/// timeout/unavailable/internal errors) are retried by a Polly pipeline on the injected clock, honouring Retry-After.
/// A bad query (bad_data) or any other answer fails at once: it will not get better.
/// </summary>
public sealed partial class PrometheusClient
{
    private static readonly TimeSpan MaxRetryAfter = TimeSpan.FromSeconds(30);

    private readonly HttpClient http;
    private readonly PrometheusOptions options;
    private readonly TimeProvider time;
    private readonly ILogger logger;
    private readonly Uri apiBase;
    private readonly ResiliencePipeline<Attempt> pipeline;

    public PrometheusClient(HttpClient http, PrometheusOptions options, TimeProvider? time = null, ILogger<PrometheusClient>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(options);
        this.http = http;
        this.options = options;
        this.time = time ?? TimeProvider.System;
        this.logger = logger ?? (ILogger)NullLogger.Instance;
        var baseText = options.BaseUrl.ToString();
        apiBase = new Uri(baseText.EndsWith('/') ? baseText : baseText + "/");
        http.Timeout = Timeout.InfiniteTimeSpan; // per-request timeouts below, so retries get their own budget
        pipeline = options.Retries <= 0
            ? ResiliencePipeline<Attempt>.Empty
            : new ResiliencePipelineBuilder<Attempt> { TimeProvider = this.time }
                .AddRetry(new RetryStrategyOptions<Attempt>
                {
                    MaxRetryAttempts = options.Retries,
                    ShouldHandle = args => ValueTask.FromResult(args.Outcome.Result is { Transient: true }),
                    DelayGenerator = args => ValueTask.FromResult<TimeSpan?>(Delay(args.AttemptNumber, args.Outcome.Result?.RetryAfter)),
                    OnRetry = args =>
                    {
                        Retrying(this.logger, args.Outcome.Result?.Failure ?? "failure", args.RetryDelay.TotalSeconds, args.AttemptNumber + 2, options.Retries + 1);
                        return default;
                    },
                })
                .Build();
    }

    public Uri BaseUrl => options.BaseUrl;

    /// <summary>Number of HTTP queries sent (including retries); the benchmark reads it.</summary>
    public int QueriesSent => queriesSent;

    private int queriesSent;

    public async Task<IReadOnlyList<Sample>> QueryAsync(string promql, DateTimeOffset at, CancellationToken ct)
    {
        var data = await SendAsync("api/v1/query", new Dictionary<string, string>
        {
            ["query"] = promql,
            ["time"] = FormatTime(at),
        }, promql, ct);

        var resultType = data.GetProperty("resultType").GetString();
        var result = data.GetProperty("result");
        return resultType switch
        {
            "vector" => result.EnumerateArray().Select(e => new Sample(ReadLabels(e.GetProperty("metric")), ReadPoint(e.GetProperty("value")).Time, ReadPoint(e.GetProperty("value")).Value)).ToList(),
            "scalar" => [new Sample(new Dictionary<string, string>(), ReadPoint(result).Time, ReadPoint(result).Value)],
            _ => throw new PrometheusException($"query returned a {resultType}, expected a vector: {promql}"),
        };
    }

    public async Task<IReadOnlyList<RangeSeries>> QueryRangeAsync(string promql, DateTimeOffset start, DateTimeOffset end, TimeSpan step, CancellationToken ct)
    {
        var data = await SendAsync("api/v1/query_range", new Dictionary<string, string>
        {
            ["query"] = promql,
            ["start"] = FormatTime(start),
            ["end"] = FormatTime(end),
            ["step"] = step.TotalSeconds.ToString(CultureInfo.InvariantCulture),
        }, promql, ct);

        return data.GetProperty("result").EnumerateArray()
            .Select(e => new RangeSeries(ReadLabels(e.GetProperty("metric")), e.GetProperty("values").EnumerateArray().Select(ReadPoint).ToList()))
            .ToList();
    }

    /// <summary>One request's outcome: the data, or why not and whether another attempt may help.</summary>
    private sealed record Attempt(JsonElement? Data, string? Failure, bool Transient, TimeSpan? RetryAfter = null, Exception? Inner = null);

    private async Task<JsonElement> SendAsync(string path, Dictionary<string, string> form, string promql, CancellationToken ct)
    {
        form["timeout"] = $"{(int)options.Timeout.TotalSeconds}s";
        var uri = new Uri(apiBase, path);
        var attempts = 0;
        var outcome = await pipeline.ExecuteAsync(
            async token =>
            {
                attempts++;
                return await AttemptAsync(uri, form, promql, token);
            },
            ct);
        return outcome.Data
            ?? throw new PrometheusException(outcome.Failure + (attempts > 1 ? $" (after {attempts} attempts)" : ""), outcome.Inner);
    }

    private async Task<Attempt> AttemptAsync(Uri uri, Dictionary<string, string> form, string promql, CancellationToken ct)
    {
        using var timeout = new CancellationTokenSource(options.Timeout, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(ct, timeout.Token);
        using var request = new HttpRequestMessage(HttpMethod.Post, uri) { Content = new FormUrlEncodedContent(form) };
        Authorize(request);
        Interlocked.Increment(ref queriesSent);
        try
        {
            using var response = await http.SendAsync(request, linked.Token);
            var body = await response.Content.ReadAsStringAsync(linked.Token);
            if (TryParseBody(body, out var root))
            {
                if (root.TryGetProperty("status", out var status) && status.GetString() == "success")
                {
                    return new Attempt(root.GetProperty("data").Clone(), null, false);
                }

                if (root.TryGetProperty("error", out var error))
                {
                    var type = root.TryGetProperty("errorType", out var t) ? t.GetString() : "error";
                    // Bad queries won't get better on retry; timeouts and unavailability might.
                    return new Attempt(null, $"Prometheus {type}: {error.GetString()} (HTTP {(int)response.StatusCode}) for query: {promql}",
                        type is "timeout" or "unavailable" or "internal");
                }
            }

            return new Attempt(null, $"Prometheus answered HTTP {(int)response.StatusCode} {response.ReasonPhrase} from {Redact(uri)}: {Truncate(body)}",
                IsTransient(response.StatusCode), response.Headers.RetryAfter?.Delta);
        }
        catch (HttpRequestException e)
        {
            return new Attempt(null, $"Prometheus unreachable at {Redact(uri)}: {e.Message}", true, Inner: e);
        }
        catch (OperationCanceledException e) when (!ct.IsCancellationRequested)
        {
            return new Attempt(null, $"Prometheus did not answer within {options.Timeout.TotalSeconds:0}s at {Redact(uri)}", true, Inner: e);
        }
    }

    // Jitter only spreads retries; it needs no cryptographic randomness.
#pragma warning disable CA5394
    private static TimeSpan Delay(int attempt, TimeSpan? retryAfter)
    {
        var backoff = TimeSpan.FromMilliseconds(200 * Math.Pow(2, attempt) * (1 + (Random.Shared.NextDouble() * 0.2)));
        return retryAfter is { } ra && ra > backoff ? (ra > MaxRetryAfter ? MaxRetryAfter : ra) : backoff;
    }
#pragma warning restore CA5394

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Failure}; retrying in {Seconds:0.###}s (attempt {Attempt}/{Max}).")]
    private static partial void Retrying(ILogger logger, string failure, double seconds, int attempt, int max);

    private void Authorize(HttpRequestMessage request)
    {
        if (options.BearerToken is { Length: > 0 } token)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }
        else if (options.BasicAuthUser is { Length: > 0 } user)
        {
            var raw = Encoding.UTF8.GetBytes($"{user}:{options.BasicAuthPassword}");
            request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(raw));
        }
    }

    private static bool IsTransient(HttpStatusCode code) =>
        code is HttpStatusCode.TooManyRequests or HttpStatusCode.BadGateway or HttpStatusCode.ServiceUnavailable or HttpStatusCode.GatewayTimeout or HttpStatusCode.RequestTimeout;

    private static bool TryParseBody(string body, out JsonElement root)
    {
        root = default;
        try
        {
            using var doc = JsonDocument.Parse(body);
            root = doc.RootElement.Clone();
            return root.ValueKind == JsonValueKind.Object;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    private static Dictionary<string, string> ReadLabels(JsonElement metric) =>
        metric.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString() ?? "", StringComparer.Ordinal);

    private static (DateTimeOffset Time, double Value) ReadPoint(JsonElement pair)
    {
        var ts = pair[0].GetDouble();
        var text = pair[1].GetString() ?? "NaN";
        var value = text switch
        {
            "NaN" => double.NaN,
            "+Inf" => double.PositiveInfinity,
            "-Inf" => double.NegativeInfinity,
            _ => double.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture),
        };
        return (DateTimeOffset.FromUnixTimeMilliseconds((long)Math.Round(ts * 1000)), value);
    }

    private static string FormatTime(DateTimeOffset t) =>
        (t.ToUnixTimeMilliseconds() / 1000.0).ToString("0.###", CultureInfo.InvariantCulture);

    // User info in a URL would be a credential; never echo it.
    private static string Redact(Uri uri) => string.IsNullOrEmpty(uri.UserInfo) ? uri.ToString() : uri.ToString().Replace(uri.UserInfo + "@", "", StringComparison.Ordinal);

    private static string Truncate(string body) => body.Length <= 300 ? body : body[..300] + "…";
}
