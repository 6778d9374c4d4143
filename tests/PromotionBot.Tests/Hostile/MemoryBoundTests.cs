using System.Net;
using System.Text;
using PromotionBot.Metrics;
using Xunit;

namespace PromotionBot.Tests.Hostile;

/// <summary>Runs alone (no other test allocates meanwhile), so the process-wide allocation count is this test's.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class MemoryBoundCollection
{
    public const string Name = "memory-bound";
}

/// <summary>Hostile sizes cost a bounded amount of memory: the caps are enforced while reading, not after.</summary>
[Collection(MemoryBoundCollection.Name)]
public sealed class MemoryBoundTests
{
    private const long MiB = 1024 * 1024;
    private static readonly DateTimeOffset At = new(2026, 11, 25, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task Two_million_series_are_refused_at_the_series_cap_within_bounded_memory()
    {
        // ~90 bytes per series: 2 million series is about 180 MB, streamed without a Content-Length.
        var series = Encoding.UTF8.GetBytes(string.Concat(Enumerable.Repeat("""{"metric":{"destination_version":"v2","pod":"p-0123456789"},"value":[1764072000,"1"]},""", 700)));
        await using var prometheus = RawHttpServer.Start(
            Encoding.UTF8.GetBytes("""{"status":"success","data":{"resultType":"vector","result":["""), series, 2_000_000 / 700);
        using var http = new HttpClient();
        var client = new PrometheusClient(http, new PromotionBot.Configuration.PrometheusOptions { Url = prometheus.BaseUrl.ToString(), Retries = 0 });

        var before = GC.GetTotalAllocatedBytes(precise: true);
        var e = await Assert.ThrowsAsync<PrometheusException>(() => client.QueryAsync("up", At, CancellationToken.None));
        var allocated = GC.GetTotalAllocatedBytes(precise: true) - before;

        Assert.Contains($"data.result has more than {PrometheusResponse.MaxSeries:N0} series", e.Message, StringComparison.Ordinal);
        // Total allocated, an upper bound of the peak; set by the series cap, not by the answer (~180 MB, which read
        // whole as a string would be ~360 MB before parsing). Debug builds allocate every async frame, hence the margin.
        Assert.True(allocated < 96 * MiB, $"allocated {allocated / MiB} MiB");
    }

    [Fact]
    public async Task A_single_endless_value_is_refused_at_the_byte_cap_within_bounded_memory()
    {
        var filler = new byte[64 * 1024];
        Array.Fill(filler, (byte)'x');
        await using var prometheus = RawHttpServer.Start(Encoding.UTF8.GetBytes("{\"status\":\"success\",\"error\":\""), filler, 100 * 16);
        using var http = new HttpClient();
        var client = new PrometheusClient(http, new PromotionBot.Configuration.PrometheusOptions { Url = prometheus.BaseUrl.ToString(), Retries = 0, MaxResponseBytes = 4 * MiB });

        var before = GC.GetTotalAllocatedBytes(precise: true);
        var e = await Assert.ThrowsAsync<PrometheusException>(() => client.QueryAsync("up", At, CancellationToken.None));
        var allocated = GC.GetTotalAllocatedBytes(precise: true) - before;

        Assert.Contains("the answer is larger than the 4 MiB limit; not read further", e.Message, StringComparison.Ordinal);
        Assert.True(allocated < 24 * MiB, $"allocated {allocated / MiB} MiB");
    }

    [Theory]
    [InlineData("big")]
    [InlineData("/dev/zero")]
    public void Oversized_or_endless_repository_files_cost_no_memory(string kind)
    {
        var root = Directory.CreateTempSubdirectory("hostile-size-").FullName;
        try
        {
            var path = Path.Combine(root, "virtualservice.yaml");
            if (kind == "big")
            {
                HostileRepositoryTests.Big(path, 44_000_000);
            }
            else
            {
                File.CreateSymbolicLink(path, kind);
            }

            var before = GC.GetAllocatedBytesForCurrentThread();
            var e = Assert.Throws<RepoFileException>(() => RepoFile.ReadText(root, "virtualservice.yaml"));
            var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

            Assert.Equal(kind == "big"
                ? "virtualservice.yaml: is 44,000,000 bytes, over the 1 MiB limit for repository files; not read"
                : "virtualservice.yaml: is a symbolic link that leaves the repository; the bot reads files inside the repository only", e.Message);
            Assert.True(allocated < 256 * 1024, $"allocated {allocated} bytes");
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }
}

/// <summary>
/// A bare HTTP/1.1 server that answers every connection with one head and then the same buffer again and again, until
/// the client hangs up: it allocates nothing per write, so the allocation count is the client's.
/// </summary>
internal sealed class RawHttpServer : IAsyncDisposable
{
    private readonly System.Net.Sockets.TcpListener listener = new(IPAddress.Loopback, 0);
    private readonly Task loop;

    private RawHttpServer(byte[] head, byte[] repeated, int times)
    {
        listener.Start();
        BaseUrl = new Uri($"http://127.0.0.1:{((IPEndPoint)listener.LocalEndpoint).Port}/");
        loop = Task.Run(async () =>
        {
            try
            {
                using var client = await listener.AcceptTcpClientAsync();
                var stream = client.GetStream();
                var request = new byte[64 * 1024];
                _ = await stream.ReadAsync(request);
                await stream.WriteAsync("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nConnection: close\r\n\r\n"u8.ToArray());
                await stream.WriteAsync(head);
                for (var i = 0; i < times; i++)
                {
                    await stream.WriteAsync(repeated);
                }
            }
            catch (Exception e) when (e is IOException or System.Net.Sockets.SocketException or ObjectDisposedException)
            {
                // The client refused the rest of the answer.
            }
        });
    }

    public Uri BaseUrl { get; }

    public static RawHttpServer Start(byte[] head, byte[] repeated, int times) => new(head, repeated, times);

    public async ValueTask DisposeAsync()
    {
        listener.Stop();
        await loop;
    }
}
