using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace PromotionBot.Metrics;

/// <summary>Thin client of the Prometheus HTTP API (instant and range queries) with retries and precise errors.</summary>
public sealed class PrometheusClient
{
    private readonly HttpClient http;
    private readonly PrometheusOptions options;
    private readonly Uri apiBase;

    public PrometheusClient(HttpClient http, PrometheusOptions options)
    {
        this.http = http;
        this.options = options;
        var baseText = options.BaseUrl.ToString();
        apiBase = new Uri(baseText.EndsWith('/') ? baseText : baseText + "/");
        http.Timeout = Timeout.InfiniteTimeSpan; // per-request timeouts below, so retries get their own budget
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

    private async Task<JsonElement> SendAsync(string path, Dictionary<string, string> form, string promql, CancellationToken ct)
    {
        form["timeout"] = $"{(int)options.EffectiveTimeout.TotalSeconds}s";
        var uri = new Uri(apiBase, path);
        for (var attempt = 0; ; attempt++)
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
            timeout.CancelAfter(options.EffectiveTimeout);
            using var request = new HttpRequestMessage(HttpMethod.Post, uri) { Content = new FormUrlEncodedContent(form) };
            Authorize(request);
            Interlocked.Increment(ref queriesSent);

            TimeSpan? retryAfter = null;
            string failure;
            Exception? inner = null;
            try
            {
                using var response = await http.SendAsync(request, timeout.Token);
                var body = await response.Content.ReadAsStringAsync(timeout.Token);
                if (TryParseBody(body, out var root))
                {
                    if (root.TryGetProperty("status", out var status) && status.GetString() == "success")
                    {
                        return root.GetProperty("data").Clone();
                    }

                    if (root.TryGetProperty("error", out var error))
                    {
                        var type = root.TryGetProperty("errorType", out var t) ? t.GetString() : "error";
                        // Bad queries won't get better on retry; timeouts and unavailability might.
                        failure = $"Prometheus {type}: {error.GetString()} (HTTP {(int)response.StatusCode}) for query: {promql}";
                        if (type is not ("timeout" or "unavailable" or "internal") || attempt >= options.Retries)
                        {
                            throw new PrometheusException(failure);
                        }

                        await DelayAsync(attempt, null, ct);
                        continue;
                    }
                }

                failure = $"Prometheus answered HTTP {(int)response.StatusCode} {response.ReasonPhrase} from {Redact(uri)}: {Truncate(body)}";
                if (!IsTransient(response.StatusCode))
                {
                    throw new PrometheusException(failure);
                }

                retryAfter = response.Headers.RetryAfter?.Delta;
            }
            catch (HttpRequestException e)
            {
                failure = $"Prometheus unreachable at {Redact(uri)}: {e.Message}";
                inner = e;
            }
            catch (OperationCanceledException e) when (!ct.IsCancellationRequested)
            {
                failure = $"Prometheus did not answer within {options.EffectiveTimeout.TotalSeconds:0}s at {Redact(uri)}";
                inner = e;
            }

            if (attempt >= options.Retries)
            {
                throw new PrometheusException(failure + (attempt > 0 ? $" (after {attempt + 1} attempts)" : ""), inner);
            }

            await DelayAsync(attempt, retryAfter, ct);
        }
    }

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

    private static Task DelayAsync(int attempt, TimeSpan? retryAfter, CancellationToken ct)
    {
        var backoff = TimeSpan.FromMilliseconds(200 * Math.Pow(2, attempt) * (1 + (Random.Shared.NextDouble() * 0.2)));
        var wait = retryAfter is { } ra && ra > backoff ? (ra > TimeSpan.FromSeconds(30) ? TimeSpan.FromSeconds(30) : ra) : backoff;
        return Task.Delay(wait, ct);
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
