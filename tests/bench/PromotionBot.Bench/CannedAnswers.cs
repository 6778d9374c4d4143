namespace PromotionBot.Bench;

/// <summary>
/// An HTTP handler that answers each of the bot's queries with the body Prometheus gave for it earlier, so the bot's own
/// cost (building queries, the client, streaming parse, mapping to canaries) can be timed without Prometheus.
/// </summary>
internal sealed class CannedAnswers(IReadOnlyDictionary<string, byte[]> bodiesByForm) : HttpMessageHandler
{
    /// <summary>Keys the answers by the exact form the client posts.</summary>
    public static async Task<CannedAnswers> CreateAsync(IReadOnlyList<string> queries, IReadOnlyList<byte[]> bodies, DateTimeOffset at, TimeSpan timeout)
    {
        var map = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        for (var i = 0; i < queries.Count; i++)
        {
            using var content = new FormUrlEncodedContent(DirectQueries.Form(queries[i], at, timeout));
            map[await content.ReadAsStringAsync()] = bodies[i];
        }

        return new CannedAnswers(map);
    }

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var form = request.Content is null ? "" : await request.Content.ReadAsStringAsync(cancellationToken);
        if (!bodiesByForm.TryGetValue(form, out var body))
        {
            throw new InvalidOperationException("the bot sent a query the baseline did not: the comparison would not be like for like");
        }

        return new HttpResponseMessage(System.Net.HttpStatusCode.OK)
        {
            Content = new StreamContent(new MemoryStream(body, writable: false)) { Headers = { ContentType = new("application/json") } },
        };
    }
}
