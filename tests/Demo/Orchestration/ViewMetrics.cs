using System.Globalization;
using System.Text.Json;

namespace Demo.Orchestration;

/// <summary>v1/v2 5xx ratio and p99 of one service over a window, as the live view shows them (NaN: no data).</summary>
public sealed record SubsetFigures(double ErrorRate, double P99Ms);

/// <summary>
/// The live view's own Prometheus queries: the server-side (reporter="destination") 5xx ratio and p99 by version over
/// the canary's compressed analysis window, the same series the bot judges.
/// </summary>
public sealed class ViewMetrics(HttpClient http, Uri prometheus)
{
    public async Task<IReadOnlyDictionary<string, SubsetFigures>> ReadAsync(string @namespace, string service, TimeSpan window, CancellationToken ct)
    {
        var w = $"{Math.Max(2, (int)Math.Round(window.TotalSeconds)).ToString(CultureInfo.InvariantCulture)}s";
        var selector = $"reporter=\"destination\",destination_service_namespace=\"{@namespace}\",destination_service_name=\"{service}\"";
        var errors = await QueryAsync(
            $"sum by (destination_version) (rate(istio_requests_total{{{selector},response_code=~\"5..\"}}[{w}])) / " +
            $"sum by (destination_version) (rate(istio_requests_total{{{selector}}}[{w}]))", ct);
        var totals = await QueryAsync($"sum by (destination_version) (rate(istio_requests_total{{{selector}}}[{w}]))", ct);
        var p99 = await QueryAsync(
            $"histogram_quantile(0.99, sum by (destination_version, le) (rate(istio_request_duration_milliseconds_bucket{{{selector}}}[{w}])))", ct);
        var versions = totals.Keys.Concat(p99.Keys).Distinct(StringComparer.Ordinal);
        // A version with traffic but no 5xx series at all has a 0 ratio, not an unknown one.
        return versions.ToDictionary(v => v, v => new SubsetFigures(
            errors.TryGetValue(v, out var e) ? e : totals.ContainsKey(v) ? 0 : double.NaN,
            p99.GetValueOrDefault(v, double.NaN)), StringComparer.Ordinal);
    }

    private async Task<Dictionary<string, double>> QueryAsync(string query, CancellationToken ct)
    {
        var result = new Dictionary<string, double>(StringComparer.Ordinal);
        try
        {
            using var response = await http.GetAsync(new Uri(prometheus, "api/v1/query?query=" + Uri.EscapeDataString(query)), ct);
            if (!response.IsSuccessStatusCode)
            {
                return result;
            }

            await using var stream = await response.Content.ReadAsStreamAsync(ct);
            using var doc = await JsonDocument.ParseAsync(stream, cancellationToken: ct);
            foreach (var series in doc.RootElement.GetProperty("data").GetProperty("result").EnumerateArray())
            {
                var version = series.GetProperty("metric").TryGetProperty("destination_version", out var v) ? v.GetString() ?? "" : "";
                var text = series.GetProperty("value")[1].GetString();
                if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value))
                {
                    result[version] = value;
                }
            }
        }
        catch (Exception ex) when (ex is HttpRequestException or JsonException or KeyNotFoundException or InvalidOperationException
                                       || (ex is TaskCanceledException && !ct.IsCancellationRequested))
        {
            // The view is best effort: a slow or empty Prometheus shows as "-", the bot's own judgement is what counts.
        }

        return result;
    }
}
