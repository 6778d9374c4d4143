using System.Net;
using System.Text;
using System.Text.Json;
using PromotionBot.Metrics;
using PromotionBot.Tests.Scenarios;
using Scenarios;
using Xunit;

namespace PromotionBot.Tests.Hostile;

/// <summary>
/// Answers no healthy Prometheus gives, served by a loopback stub to the real <c>analyze</c> command: each must become
/// a hold with the metrics-unavailable cause naming what was wrong, exit code 1, and never an exception.
/// </summary>
public sealed class HostilePrometheusTests
{
    private static readonly DateTimeOffset At = new(2026, 11, 25, 12, 0, 0, TimeSpan.Zero);

    public static TheoryData<string, string, string> Answers => new()
    {
        { "empty data", """{"status":"success","data":{}}""", "status success without data.resultType" },
        { "non-numeric sample", """{"status":"success","data":{"resultType":"vector","result":[{"metric":{},"value":[1764072000,"abc"]}]}}""", "data.result[0].value[1]: sample value 'abc' is not a number" },
        { "label value not a string", """{"status":"success","data":{"resultType":"vector","result":[{"metric":{"destination_version":5},"value":[1764072000,"1"]}]}}""", "data.result[0].metric.destination_version: expected a string, got the number 5" },
        { "time not a number", """{"status":"success","data":{"resultType":"vector","result":[{"metric":{},"value":["x","1"]}]}}""", "data.result[0].value[0]: expected a Unix time in seconds, got the string 'x'" },
        { "time out of range", """{"status":"success","data":{"resultType":"vector","result":[{"metric":{},"value":[1e300,"1"]}]}}""", "data.result[0].value[0]: expected a Unix time in seconds, got the number 1E+300" },
        { "series without value", """{"status":"success","data":{"resultType":"vector","result":[{"metric":{}}]}}""", "data.result[0]: no \"value\" or \"values\"" },
        { "result not an array", """{"status":"success","data":{"resultType":"vector","result":{}}}""", "data.result: expected an array, got an object" },
        { "no status", """{"data":{"resultType":"vector","result":[]}}""", "no \"status\" field: not a Prometheus API answer" },
        { "matrix for an instant query", """{"status":"success","data":{"resultType":"matrix","result":[]}}""", "query returned a matrix, expected a vector" },
        { "unknown result type", """{"status":"success","data":{"resultType":"banana","result":[]}}""", "data.resultType 'banana' is not vector, matrix, scalar or string" },
        { "truncated JSON", """{"status":"success","data":{"resultType":"vector","result":[""", "not valid JSON" },
        { "HTML with 200", "<html>oops</html>", "not valid JSON ('<' is an invalid start of a value)" },
        { "empty body", "", "not valid JSON" },
        { "array instead of the envelope", "[1, 2]", "the answer: expected an object, got an array" },
        { "nesting 1000 deep", "{\"status\":\"success\",\"warnings\":" + new string('[', 1000) + new string(']', 1000) + "}", "maximum configured depth of 64" },
        { "trailing garbage", """{"status":"success","data":{"resultType":"vector","result":[]}} x""", "not valid JSON" },
    };

    [Theory]
    [MemberData(nameof(Answers))]
    public async Task Malformed_answer_holds_with_the_cause_and_exit_code_1(string name, string body, string cause)
    {
        await using var prometheus = await StubPrometheus.StartAsync((_, response) => StubPrometheus.WriteAsync(response, 200, body));
        using var repo = new CanaryRepo().Add("a", new CanaryTarget("shop", "svc-a", 8080), 80, 20);

        var run = await AnalyzeRun.InvokeAsync(repo.Root, prometheus.BaseUrl, At);

        Assert.True(run.ExitCode == 1, $"{name}: exit {run.ExitCode}\n{run.Stderr}");
        var c = run.Canary("a");
        Assert.Equal("hold", c.Decision());
        Assert.Equal("metrics-unavailable", c.HoldReason());
        var reason = c.GetProperty("reasons")[0].GetString()!;
        Assert.StartsWith("metrics unavailable, holding: ", reason, StringComparison.Ordinal);
        Assert.Contains(cause, reason, StringComparison.Ordinal);
        Assert.Contains($"error: a: metrics unavailable, holding: ", run.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Prometheus_down_is_exit_code_1()
    {
        await using var prometheus = await StubPrometheus.StartAsync((_, response) => StubPrometheus.WriteAsync(response, 200, "{}"));
        var closed = prometheus.BaseUrl;
        await prometheus.DisposeAsync();
        using var repo = new CanaryRepo().Add("a", new CanaryTarget("shop", "svc-a", 8080), 80, 20);

        var run = await AnalyzeRun.InvokeAsync(repo.Root, closed, At);

        Assert.Equal(1, run.ExitCode);
        Assert.Equal("metrics-unavailable", run.Canary("a").HoldReason());
        Assert.Contains("Prometheus unreachable", run.Canary("a").GetProperty("reasons")[0].GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_query_rejected_for_one_canary_leaves_the_other_canary_judged()
    {
        // Prometheus refuses any query that names svc-b (as it would a broken matcher or a limit); svc-a's still work.
        await using var prometheus = await StubPrometheus.StartAsync((query, response) => query.Contains("svc-b", StringComparison.Ordinal)
            ? StubPrometheus.WriteAsync(response, 422, """{"status":"error","errorType":"execution","error":"query processing would load too many samples"}""")
            : StubPrometheus.WriteAsync(response, 200, """{"status":"success","data":{"resultType":"vector","result":[]}}"""));
        using var repo = new CanaryRepo()
            .Add("a", new CanaryTarget("shop", "svc-a", 8080), 80, 20)
            .Add("b", new CanaryTarget("shop", "svc-b", 8080), 80, 20);

        var run = await AnalyzeRun.InvokeAsync(repo.Root, prometheus.BaseUrl, At);

        Assert.Equal(1, run.ExitCode);
        Assert.True(run.Canary("a").HoldReason() == "metrics-stale", run.Canary("a").Explain());
        Assert.Equal("metrics-unavailable", run.Canary("b").HoldReason());
        Assert.Contains("too many samples", run.Canary("b").GetProperty("reasons")[0].GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Declared_size_over_the_cap_is_refused_before_reading()
    {
        await using var prometheus = await StubPrometheus.StartAsync(async (_, response) =>
        {
            response.ContentLength64 = 1_000_000_000;
            await response.OutputStream.WriteAsync("{\"status\""u8.ToArray());
            response.Abort();
        });
        using var http = new HttpClient();
        var client = new PrometheusClient(http, new PromotionBot.Configuration.PrometheusOptions { Url = prometheus.BaseUrl.ToString(), Retries = 0 });

        var e = await Assert.ThrowsAsync<PrometheusException>(() => client.QueryAsync("up", At, CancellationToken.None));

        Assert.Contains("the answer is 1,000,000,000 bytes, over the 16 MiB limit; not read", e.Message, StringComparison.Ordinal);
    }
}

/// <summary>A loopback HTTP server answering every Prometheus API request through a handler given the PromQL.</summary>
internal sealed class StubPrometheus : IAsyncDisposable
{
    private readonly HttpListener listener = new();
    private readonly Func<string, HttpListenerResponse, Task> handler;
    private readonly Task loop;

    private StubPrometheus(Func<string, HttpListenerResponse, Task> handler)
    {
        this.handler = handler;
        var l = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        l.Start();
        var port = ((IPEndPoint)l.LocalEndpoint).Port;
        l.Stop();
        BaseUrl = new Uri($"http://127.0.0.1:{port}/");
        listener.Prefixes.Add(BaseUrl.ToString());
        listener.Start();
        loop = Task.Run(ServeAsync);
    }

    public Uri BaseUrl { get; }

    public static Task<StubPrometheus> StartAsync(Func<string, HttpListenerResponse, Task> handler) => Task.FromResult(new StubPrometheus(handler));

    public static async Task WriteAsync(HttpListenerResponse response, int status, string body)
    {
        response.StatusCode = status;
        var bytes = Encoding.UTF8.GetBytes(body);
        response.ContentLength64 = bytes.Length;
        await response.OutputStream.WriteAsync(bytes);
        response.Close();
    }

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
            catch (HttpListenerException)
            {
                return;
            }

            _ = Task.Run(async () =>
            {
                try
                {
                    using var reader = new StreamReader(ctx.Request.InputStream);
                    var form = await reader.ReadToEndAsync();
                    var query = form.Split('&').Where(p => p.StartsWith("query=", StringComparison.Ordinal))
                        .Select(p => Uri.UnescapeDataString(p[6..].Replace('+', ' '))).FirstOrDefault() ?? "";
                    await handler(query, ctx.Response);
                }
                catch (Exception e) when (e is HttpListenerException or IOException or ObjectDisposedException or InvalidOperationException)
                {
                    // The client hung up (it refused the answer): that is the point of some cases.
                }
            });
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (listener.IsListening)
        {
            listener.Stop();
            listener.Close();
        }

        try
        {
            await loop;
        }
        catch (ObjectDisposedException)
        {
        }
    }
}
