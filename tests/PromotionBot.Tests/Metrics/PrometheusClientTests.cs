using System.Net;
using System.Text;
using Microsoft.Extensions.Time.Testing;
using PromotionBot.Configuration;
using PromotionBot.Metrics;
using Xunit;

namespace PromotionBot.Tests.Metrics;

/// <summary>Error paths of the Prometheus HTTP API that a healthy real server cannot be made to produce on demand.</summary>
public sealed class PrometheusClientTests : IDisposable
{
    private static readonly DateTimeOffset At = new(2026, 11, 25, 12, 0, 0, TimeSpan.Zero);
    private readonly HttpListener listener = new();
    private readonly Queue<(int Status, string Body)> answers = new();
    private readonly List<(string? Authorization, string Form)> seen = [];
    private readonly Uri baseUrl;

    // Backoff waits on this clock, so retries cost no real time.
    private readonly FakeTimeProvider clock = new();

    public PrometheusClientTests()
    {
        var port = FreePort();
        baseUrl = new Uri($"http://127.0.0.1:{port}/prom/");
        listener.Prefixes.Add(baseUrl.ToString());
        listener.Start();
        _ = Task.Run(ServeAsync);
    }

    public void Dispose() => listener.Close();

    [Fact]
    public async Task Parses_a_vector_including_NaN_and_sends_the_evaluation_time_and_bearer_token()
    {
        answers.Enqueue((200, """{"status":"success","data":{"resultType":"vector","result":[{"metric":{"destination_version":"v2"},"value":[1764072000,"12.5"]},{"metric":{"destination_version":"v1"},"value":[1764072000,"NaN"]}]}}"""));
        var client = Client(bearer: "s3cret");

        var samples = await client.QueryAsync("up", At, CancellationToken.None);

        Assert.Equal(12.5, samples.Single(s => s.Label("destination_version") == "v2").Value);
        Assert.True(double.IsNaN(samples.Single(s => s.Label("destination_version") == "v1").Value));
        Assert.Equal("Bearer s3cret", seen.Single().Authorization);
        Assert.Contains("time=" + At.ToUnixTimeSeconds(), seen.Single().Form, StringComparison.Ordinal);
        Assert.Contains("query=up", seen.Single().Form, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Transient_503_is_retried_then_succeeds()
    {
        answers.Enqueue((503, "overloaded"));
        answers.Enqueue((200, """{"status":"success","data":{"resultType":"vector","result":[]}}"""));

        var samples = await Drive(() => Client().QueryAsync("up", At, CancellationToken.None));

        Assert.Empty(samples);
        Assert.Equal(2, seen.Count);
    }

    [Fact]
    public async Task A_bad_query_is_reported_with_prometheus_error_and_not_retried()
    {
        answers.Enqueue((400, """{"status":"error","errorType":"bad_data","error":"parse error at char 3"}"""));

        var e = await Assert.ThrowsAsync<PrometheusException>(() => Client().QueryAsync("up{", At, CancellationToken.None));

        Assert.Contains("bad_data: parse error at char 3", e.Message, StringComparison.Ordinal);
        Assert.Contains("up{", e.Message, StringComparison.Ordinal);
        Assert.Single(seen);
    }

    [Fact]
    public async Task Persistent_server_errors_give_up_after_the_retries_with_the_status_in_the_message()
    {
        for (var i = 0; i < 3; i++)
        {
            answers.Enqueue((502, "<html>bad gateway</html>"));
        }

        var e = await Assert.ThrowsAsync<PrometheusException>(() => Drive(() => Client().QueryAsync("up", At, CancellationToken.None)));

        Assert.Contains("HTTP 502", e.Message, StringComparison.Ordinal);
        Assert.Contains("after 3 attempts", e.Message, StringComparison.Ordinal);
        Assert.Equal(3, seen.Count);
    }

    [Fact]
    public async Task Basic_auth_credentials_are_sent_but_never_shown()
    {
        answers.Enqueue((401, "unauthorized"));
        var client = Client(user: "bot", password: "hunter2");

        var e = await Assert.ThrowsAsync<PrometheusException>(() => client.QueryAsync("up", At, CancellationToken.None));

        Assert.Equal("Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes("bot:hunter2")), seen.Single().Authorization);
        Assert.DoesNotContain("hunter2", e.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("hunter2", new PrometheusOptions { Url = baseUrl.ToString(), BasicAuthUser = "bot", BasicAuthPassword = "hunter2" }.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Nothing_listening_is_an_unreachable_error()
    {
        var closed = new Uri($"http://127.0.0.1:{FreePort()}/");
        using var http = new HttpClient();
        var client = new PrometheusClient(http, new PrometheusOptions { Url = closed.ToString(), Retries = 0 }, clock);

        var e = await Assert.ThrowsAsync<PrometheusException>(() => client.QueryAsync("up", At, CancellationToken.None));

        Assert.Contains("Prometheus unreachable", e.Message, StringComparison.Ordinal);
    }

    // The per-request timeout runs on the fake clock too: long enough that driving the clock never trips it.
    private PrometheusClient Client(string? bearer = null, string? user = null, string? password = null) =>
        new(new HttpClient(), new PrometheusOptions
        {
            Url = baseUrl.ToString(),
            BearerToken = bearer,
            BasicAuthUser = user,
            BasicAuthPassword = password,
            TimeoutSeconds = 3600,
            Retries = 2,
        }, clock);

    private Task<T> Drive<T>(Func<Task<T>> query) => clock.DriveAsync(query, TimeSpan.FromMilliseconds(100));

    private async Task ServeAsync()
    {
        while (listener.IsListening)
        {
            HttpListenerContext ctx;
            try
            {
                ctx = await listener.GetContextAsync();
            }
            catch (Exception) when (!listener.IsListening)
            {
                return;
            }

            using var reader = new StreamReader(ctx.Request.InputStream);
            var form = Uri.UnescapeDataString((await reader.ReadToEndAsync()).Replace('+', ' '));
            (int Status, string Body) answer;
            lock (answers)
            {
                seen.Add((ctx.Request.Headers["Authorization"], form));
                answer = answers.Count > 0 ? answers.Dequeue() : (500, "no answer queued");
            }

            ctx.Response.StatusCode = answer.Status;
            var bytes = Encoding.UTF8.GetBytes(answer.Body);
            await ctx.Response.OutputStream.WriteAsync(bytes);
            ctx.Response.Close();
        }
    }

    private static int FreePort()
    {
        var l = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        l.Start();
        var port = ((IPEndPoint)l.LocalEndpoint).Port;
        l.Stop();
        return port;
    }
}
