using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
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

    public Task<IReadOnlyList<Sample>> QueryAsync(string promql, DateTimeOffset at, CancellationToken ct) =>
        QueryAsync(promql, at, PrometheusResponse.MaxSeries, ct);

    /// <param name="maxSeries">Most series the answer may hold: a query shared by many canaries returns more than one canary's.</param>
    public async Task<IReadOnlyList<Sample>> QueryAsync(string promql, DateTimeOffset at, int maxSeries, CancellationToken ct)
    {
        var data = await SendAsync("api/v1/query", new Dictionary<string, string>
        {
            ["query"] = promql,
            ["time"] = FormatTime(at),
        }, promql, maxSeries, ct);

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
        }, promql, PrometheusResponse.MaxSeries, ct);

        return data.ResultType == "matrix"
            ? data.Series
            : throw new PrometheusException($"range query returned a {data.ResultType}, expected a matrix: {promql}", querySpecific: true);
    }

    /// <summary>One request's outcome: the answer, or why not, whether another attempt may help, and whether the query itself is at fault.</summary>
    private sealed record Attempt(PrometheusAnswer? Answer, string? Failure, bool Transient, bool QuerySpecific = false, TimeSpan? RetryAfter = null, Exception? Inner = null);

    private async Task<PrometheusAnswer> SendAsync(string path, Dictionary<string, string> form, string promql, int maxSeries, CancellationToken ct)
    {
        form["timeout"] = $"{(int)options.Timeout.TotalSeconds}s";
        var uri = new Uri(apiBase, path);
        var attempts = 0;
        var outcome = await pipeline.ExecuteAsync(
            async token =>
            {
                attempts++;
                return await AttemptAsync(uri, form, promql, maxSeries, token);
            },
            ct);
        if (outcome.Answer is { } answer)
        {
            return answer;
        }

        var suffix = outcome.Transient && attempts > 1 ? $" (after {attempts} attempts)" : "";
        throw new PrometheusException(outcome.Failure + suffix, outcome.Inner, outcome.QuerySpecific);
    }

    private async Task<Attempt> AttemptAsync(Uri uri, Dictionary<string, string> form, string promql, int maxSeries, CancellationToken ct)
    {
        using var timeout = new CancellationTokenSource(options.Timeout, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(ct, timeout.Token);
        using var request = new HttpRequestMessage(HttpMethod.Post, uri) { Content = new FormUrlEncodedContent(form) };
        Authorize(request);
        Interlocked.Increment(ref queriesSent);
        try
        {
            // Headers first: the body is read as a capped stream, never buffered whole.
            using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, linked.Token);
            var (answer, malformed) = await ReadAnswerAsync(response, maxSeries, linked.Token);
            if (answer is { Status: "success" } && response.IsSuccessStatusCode)
            {
                return new Attempt(answer, null, false);
            }

            if (answer is { Error: { } error })
            {
                var type = answer.ErrorType ?? "error";
                // Bad queries won't get better on retry; timeouts and unavailability might.
                var transient = type is "timeout" or "unavailable" or "internal";
                return new Attempt(null, $"Prometheus {type}: {error} (HTTP {(int)response.StatusCode}) for query: {promql}", transient, QuerySpecific: !transient);
            }

            var failure = response.IsSuccessStatusCode
                ? $"malformed answer from Prometheus at {Redact(uri)}: {malformed?.Message ?? "status is not success"} (query: {promql})"
                : $"Prometheus answered HTTP {(int)response.StatusCode} {response.ReasonPhrase} from {Redact(uri)}: {malformed?.Excerpt ?? malformed?.Message}";
            var transientStatus = IsTransient(response.StatusCode);
            return new Attempt(null, failure, transientStatus, QuerySpecific: !transientStatus, response.Headers.RetryAfter?.Delta);
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

    private static bool IsTransient(HttpStatusCode code) =>
        code is HttpStatusCode.TooManyRequests or HttpStatusCode.BadGateway or HttpStatusCode.ServiceUnavailable or HttpStatusCode.GatewayTimeout or HttpStatusCode.RequestTimeout;

    /// <summary>The parsed answer, or why it could not be parsed (the caller words the error with the HTTP status).</summary>
    private async Task<(PrometheusAnswer? Answer, MalformedAnswerException? Malformed)> ReadAnswerAsync(HttpResponseMessage response, int maxSeries, CancellationToken ct)
    {
        var max = options.MaxResponseBytes;
        if (response.Content.Headers.ContentLength is { } length && length > max)
        {
            return (null, new MalformedAnswerException($"the answer is {length:N0} bytes, over the {PrometheusResponse.Describe(max)} limit; not read"));
        }

        try
        {
            await using var body = await response.Content.ReadAsStreamAsync(ct);
            return (await PrometheusResponse.ReadAsync(body, max, maxSeries, ct), null);
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
