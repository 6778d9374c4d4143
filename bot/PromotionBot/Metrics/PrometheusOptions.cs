namespace PromotionBot.Metrics;

/// <summary>How to reach Prometheus (or a compatible API: Thanos, Mimir, hosted Prometheus).</summary>
/// <param name="BaseUrl">Base URL; a path prefix such as <c>/prometheus</c> for Mimir is kept.</param>
/// <param name="Timeout">Per-request timeout; also sent as the query <c>timeout</c> parameter.</param>
/// <param name="Retries">Retries on transient failures (connection errors, 429, 502–504) with exponential backoff.</param>
/// <param name="MaxResponseBytes">Larger answers are refused while streaming (the canary holds, metrics unavailable).</param>
public sealed record PrometheusOptions(
    Uri BaseUrl,
    string? BearerToken = null,
    string? BasicAuthUser = null,
    string? BasicAuthPassword = null,
    TimeSpan? Timeout = null,
    int Retries = 2,
    long MaxResponseBytes = PrometheusResponse.DefaultMaxBytes)
{
    public TimeSpan EffectiveTimeout => Timeout ?? TimeSpan.FromSeconds(30);

    // Credentials stay out of logs and exception messages.
    public override string ToString() => $"PrometheusOptions {{ BaseUrl = {BaseUrl}, Auth = {(BearerToken is not null ? "bearer" : BasicAuthUser is not null ? "basic" : "none")} }}";
}
