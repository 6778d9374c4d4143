namespace PromotionBot.Metrics;

/// <summary>Prometheus could not answer a query: unreachable, HTTP error, <c>status: error</c>, or a malformed answer.</summary>
/// <param name="QuerySpecific">Prometheus answered, but rejected or garbled this query's answer (bad_data, 4xx, malformed
/// JSON): other queries may still succeed, so a batched query is retried per canary to keep the failure to its canary.</param>
public sealed class PrometheusException(string message, Exception? inner = null, bool querySpecific = false) : Exception(message, inner)
{
    public bool QuerySpecific { get; } = querySpecific;
}
