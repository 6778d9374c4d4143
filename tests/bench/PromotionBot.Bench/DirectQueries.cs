using System.Globalization;

namespace PromotionBot.Bench;

/// <summary>
/// The baseline: exactly the bot's query strings sent straight to Prometheus, the way the bot sends them (POST form with
/// query, time and timeout; all of a cycle's queries at once), each answer read to its last byte and not parsed.
/// Its wall time is Prometheus's own time for the work plus the transfer, with no client on top.
/// </summary>
internal sealed class DirectQueries(HttpClient http, TimeSpan timeout)
{
    /// <summary>Sends every query concurrently; returns the answers' bodies in query order.</summary>
    public async Task<byte[][]> SendAsync(IReadOnlyList<string> queries, DateTimeOffset at, CancellationToken ct) =>
        await Task.WhenAll(queries.Select(async query =>
        {
            using var content = new FormUrlEncodedContent(Form(query, at, timeout));
            using var response = await http.PostAsync(new Uri("api/v1/query", UriKind.Relative), content, ct);
            var body = await response.Content.ReadAsByteArrayAsync(ct);
            return response.IsSuccessStatusCode
                ? body
                : throw new InvalidOperationException($"Prometheus answered {(int)response.StatusCode}: {System.Text.Encoding.UTF8.GetString(body.AsSpan(0, Math.Min(body.Length, 300)))}");
        }));

    /// <summary>The form fields PrometheusClient posts for an instant query, in its order.</summary>
    public static Dictionary<string, string> Form(string query, DateTimeOffset at, TimeSpan timeout) => new()
    {
        ["query"] = query,
        ["time"] = (at.ToUnixTimeMilliseconds() / 1000.0).ToString("0.###", CultureInfo.InvariantCulture),
        ["timeout"] = $"{(int)timeout.TotalSeconds}s",
    };
}
