using System.Globalization;
using System.Net;
using Microsoft.Extensions.Logging;
using Octokit;
using Polly;
using Polly.Retry;

namespace PromotionBot.GitHub;

/// <param name="MaxAttempts">Attempts per call, the first included.</param>
/// <param name="BaseDelay">First backoff for transient failures (5xx, network); doubled each attempt.</param>
/// <param name="SecondaryLimitDelay">Wait after a secondary rate limit that names no Retry-After (GitHub asks for at least a minute).</param>
/// <param name="MaxWait">Longest single wait; a rate limit resetting later than this fails the call instead of blocking the cycle.</param>
public sealed record RetryOptions(int MaxAttempts, TimeSpan BaseDelay, TimeSpan SecondaryLimitDelay, TimeSpan MaxWait)
{
    public static RetryOptions Default { get; } = new(6, TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(15));
}

/// <summary>GitHub stayed unavailable (rate limit beyond the cap, or retries exhausted). Carries no credentials.</summary>
public sealed class GitHubUnavailableException(string message, Exception inner) : Exception(message, inner);

/// <summary>
/// Wraps every GitHub call in a Polly retry pipeline on the injected clock: refreshes App credentials, honours primary
/// rate limits (wait until x-ratelimit-reset), secondary limits and 429 (Retry-After), and retries 5xx/network failures
/// with exponential backoff. Anything else (401, 404, 422 …) fails at once.
/// </summary>
public sealed partial class GitHubRetry
{
    private static readonly ResiliencePropertyKey<string> What = new("promotion-bot.github.what");

    private readonly GitHubConnection connection;
    private readonly RetryOptions options;
    private readonly TimeProvider time;
    private readonly ResiliencePipeline pipeline;

    public GitHubRetry(GitHubConnection connection, RetryOptions options, TimeProvider time, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        this.connection = connection;
        this.options = options;
        this.time = time;
        pipeline = options.MaxAttempts <= 1
            ? ResiliencePipeline.Empty
            : new ResiliencePipelineBuilder { TimeProvider = time }
                .AddRetry(new RetryStrategyOptions
                {
                    MaxRetryAttempts = options.MaxAttempts - 1,
                    ShouldHandle = args => ValueTask.FromResult(
                        args.Outcome.Exception is { } ex && !args.Context.CancellationToken.IsCancellationRequested
                        && RetryDelay(ex, args.AttemptNumber + 1) is { } delay && delay <= options.MaxWait),
                    DelayGenerator = args => ValueTask.FromResult(RetryDelay(args.Outcome.Exception!, args.AttemptNumber + 1)),
                    OnRetry = args =>
                    {
                        Retrying(logger, args.Context.Properties.GetValue(What, "call"), Describe(args.Outcome.Exception!),
                            args.RetryDelay.TotalSeconds, args.AttemptNumber + 2, options.MaxAttempts);
                        return default;
                    },
                })
                .Build();
    }

    public GitHubConnection Connection => connection;

    public async Task RunAsync(string what, Func<GitHubClient, Task> call, CancellationToken ct) =>
        await RunAsync<object?>(what, async c => { await call(c); return null; }, ct);

    public async Task<T> RunAsync<T>(string what, Func<GitHubClient, Task<T>> call, CancellationToken ct)
    {
        var context = ResilienceContextPool.Shared.Get(ct);
        context.Properties.Set(What, what);
        var attempts = 0;
        try
        {
            return await pipeline.ExecuteAsync(
                async (ctx, state) =>
                {
                    attempts++;
                    await state.connection.EnsureFreshAsync(ctx.CancellationToken);
                    return await state.call(state.connection.Client);
                },
                context,
                (connection, call));
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            var delay = RetryDelay(ex, attempts);
            if (delay is null)
            {
                throw;
            }

            if (delay > options.MaxWait)
            {
                throw new GitHubUnavailableException(
                    $"GitHub {what}: rate limited for {delay.Value.TotalSeconds:0}s, longer than the {options.MaxWait.TotalMinutes:0.#}-minute cap.", ex);
            }

            throw new GitHubUnavailableException($"GitHub {what}: still failing after {attempts} attempts ({Describe(ex)}).", ex);
        }
        finally
        {
            ResilienceContextPool.Shared.Return(context);
        }
    }

    /// <summary>How long to wait before retrying, or null when the failure is not worth retrying.</summary>
    internal TimeSpan? RetryDelay(Exception ex, int attempt)
    {
        var now = time.GetUtcNow();
        switch (ex)
        {
            case RateLimitExceededException primary:
                return Max(primary.Reset - now + TimeSpan.FromSeconds(1), TimeSpan.Zero);
            case SecondaryRateLimitExceededException or AbuseException:
                return RetryAfter((ApiException)ex) ?? ResetWait((ApiException)ex, now) ?? options.SecondaryLimitDelay;
            case ApiException { StatusCode: (HttpStatusCode)429 } tooMany:
                return RetryAfter(tooMany) ?? ResetWait(tooMany, now) ?? options.SecondaryLimitDelay;
            case ApiException { StatusCode: >= HttpStatusCode.InternalServerError }:
            case HttpRequestException:
            case TaskCanceledException: // HttpClient timeout (the caller's token was not cancelled)
                return Backoff(attempt);
            default:
                return null;
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "GitHub {What}: {Problem}; retrying in {Seconds:0.###}s (attempt {Attempt}/{Max}).")]
    private static partial void Retrying(ILogger logger, string what, string problem, double seconds, int attempt, int max);

    // Jitter only spreads retries of several bots; it needs no cryptographic randomness.
#pragma warning disable CA5394
    private TimeSpan Backoff(int attempt) =>
        options.BaseDelay * Math.Pow(2, attempt - 1) * (0.8 + (Random.Shared.NextDouble() * 0.4));
#pragma warning restore CA5394

    private static TimeSpan? RetryAfter(ApiException ex) =>
        Header(ex, "Retry-After") is { } value && int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var seconds)
            ? TimeSpan.FromSeconds(Math.Max(seconds, 0))
            : null;

    private static TimeSpan? ResetWait(ApiException ex, DateTimeOffset now) =>
        Header(ex, "x-ratelimit-remaining") == "0"
        && long.TryParse(Header(ex, "x-ratelimit-reset"), NumberStyles.Integer, CultureInfo.InvariantCulture, out var reset)
            ? Max(DateTimeOffset.FromUnixTimeSeconds(reset) - now + TimeSpan.FromSeconds(1), TimeSpan.Zero)
            : null;

    private static string? Header(ApiException ex, string name) =>
        ex.HttpResponse?.Headers?.FirstOrDefault(h => string.Equals(h.Key, name, StringComparison.OrdinalIgnoreCase)).Value;

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;

    private static string Describe(Exception ex) => ex switch
    {
        RateLimitExceededException => "rate limit exceeded",
        SecondaryRateLimitExceededException or AbuseException => "secondary rate limit",
        ApiException api => $"HTTP {(int)api.StatusCode}",
        _ => ex.GetType().Name,
    };
}
