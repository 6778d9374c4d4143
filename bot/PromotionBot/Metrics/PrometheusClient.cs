using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;

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

        return data.ResultType switch
        {
            "vector" or "scalar" => data.Series.Select(e => new Sample(e.Labels, e.Points[0].Time, e.Points[0].Value)).ToList(),
            _ => throw new PrometheusException($"query returned a {data.ResultType}, expected a vector: {promql}", querySpecific: true),
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

        return data.ResultType == "matrix"
            ? data.Series
            : throw new PrometheusException($"range query returned a {data.ResultType}, expected a matrix: {promql}", querySpecific: true);
    }

    private async Task<PrometheusAnswer> SendAsync(string path, Dictionary<string, string> form, string promql, CancellationToken ct)
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
                // Headers first: the body is read as a capped stream, never buffered whole.
                using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
                var (answer, malformed) = await ReadAnswerAsync(response, timeout.Token);
                if (answer is { Status: "success" } && response.IsSuccessStatusCode)
                {
                    return answer;
                }

                if (answer is { Error: { } error })
                {
                    var type = answer.ErrorType ?? "error";
                    // Bad queries won't get better on retry; timeouts and unavailability might.
                    failure = $"Prometheus {type}: {error} (HTTP {(int)response.StatusCode}) for query: {promql}";
                    var transient = type is "timeout" or "unavailable" or "internal";
                    if (!transient || attempt >= options.Retries)
                    {
                        throw new PrometheusException(failure, querySpecific: !transient);
                    }

                    await DelayAsync(attempt, null, ct);
                    continue;
                }

                failure = response.IsSuccessStatusCode
                    ? $"malformed answer from Prometheus at {Redact(uri)}: {malformed?.Message ?? "status is not success"} (query: {promql})"
                    : $"Prometheus answered HTTP {(int)response.StatusCode} {response.ReasonPhrase} from {Redact(uri)}: {malformed?.Excerpt ?? malformed?.Message}";
                if (!IsTransient(response.StatusCode))
                {
                    throw new PrometheusException(failure, querySpecific: true);
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

    /// <summary>The parsed answer, or why it could not be parsed (the caller words the error with the HTTP status).</summary>
    private async Task<(PrometheusAnswer? Answer, MalformedAnswerException? Malformed)> ReadAnswerAsync(HttpResponseMessage response, CancellationToken ct)
    {
        var max = options.MaxResponseBytes;
        if (response.Content.Headers.ContentLength is { } length && length > max)
        {
            return (null, new MalformedAnswerException($"the answer is {length:N0} bytes, over the {PrometheusResponse.Describe(max)} limit; not read"));
        }

        try
        {
            await using var body = await response.Content.ReadAsStreamAsync(ct);
            return (await PrometheusResponse.ReadAsync(body, max, ct), null);
        }
        catch (MalformedAnswerException e)
        {
            return (null, e);
        }
    }

    private static string FormatTime(DateTimeOffset t) =>
        (t.ToUnixTimeMilliseconds() / 1000.0).ToString("0.###", CultureInfo.InvariantCulture);

    // User info in a URL would be a credential; never echo it.
    private static string Redact(Uri uri) => string.IsNullOrEmpty(uri.UserInfo) ? uri.ToString() : uri.ToString().Replace(uri.UserInfo + "@", "", StringComparison.Ordinal);
}
