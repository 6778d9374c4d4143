namespace PromotionBot.Metrics;

/// <summary>Prometheus could not answer a query: unreachable, HTTP error, or <c>status: error</c>.</summary>
public sealed class PrometheusException(string message, Exception? inner = null) : Exception(message, inner);
