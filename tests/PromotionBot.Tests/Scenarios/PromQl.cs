using System.Globalization;
using System.Text.Json;

namespace PromotionBot.Tests.Scenarios;

/// <summary>Plain HTTP instant queries, to check the backfilled data independently of the bot's own client.</summary>
internal sealed class PromQl(Uri baseUrl, DateTimeOffset at) : IDisposable
{
    private readonly HttpClient _http = new() { BaseAddress = baseUrl, Timeout = TimeSpan.FromSeconds(30) };

    public async Task<IReadOnlyList<(IReadOnlyDictionary<string, string> Labels, double Value)>> VectorAsync(string query)
    {
        var url = $"api/v1/query?query={Uri.EscapeDataString(query)}&time={at.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture)}";
        using var response = await _http.GetAsync(new Uri(url, UriKind.Relative));
        var body = await response.Content.ReadAsStringAsync();
        Xunit.Assert.True(response.IsSuccessStatusCode, $"{query} → {(int)response.StatusCode} {body}");
        using var doc = JsonDocument.Parse(body);
        var data = doc.RootElement.GetProperty("data");
        Xunit.Assert.Equal("vector", data.GetProperty("resultType").GetString());
        return data.GetProperty("result").EnumerateArray()
            .Select(r => (
                (IReadOnlyDictionary<string, string>)r.GetProperty("metric").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString()!),
                double.Parse(r.GetProperty("value")[1].GetString()!, CultureInfo.InvariantCulture)))
            .ToList();
    }

    public async Task<double?> ScalarAsync(string query)
    {
        var v = await VectorAsync(query);
        Xunit.Assert.True(v.Count <= 1, $"{query} returned {v.Count} series");
        return v.Count == 0 ? null : v[0].Value;
    }

    public void Dispose() => _http.Dispose();
}
