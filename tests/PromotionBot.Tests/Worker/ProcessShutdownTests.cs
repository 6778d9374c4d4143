using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using PromotionBot.Tests.PullRequests;
using Xunit;

namespace PromotionBot.Tests.Worker;

/// <summary>
/// The real program as the container runs it (JSON logs, SIGTERM from the kubelet), stopped in the middle of a cycle:
/// Prometheus is a socket that accepts and never answers, so the cycle is still waiting when the signal comes.
/// </summary>
public sealed class ProcessShutdownTests
{
    [Fact]
    public async Task Sigterm_during_a_cycle_exits_0_within_10_seconds_with_json_logs()
    {
        if (OperatingSystem.IsWindows())
        {
            return; // SIGTERM is a Unix signal; the container and CI are Linux.
        }

        await using var s = await GitOpsSandbox.CreateAsync(("shop", 80, 20));
        using var silentPrometheus = new TcpListener(IPAddress.Loopback, 0);
        silentPrometheus.Start();
        var prometheusUrl = $"http://127.0.0.1:{((IPEndPoint)silentPrometheus.LocalEndpoint).Port}";

        var start = new ProcessStartInfo(Path.Combine(AppContext.BaseDirectory, "PromotionBot"))
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            Environment = { ["Logging__Console__FormatterName"] = "json", ["ASPNETCORE_URLS"] = "http://127.0.0.1:0" },
        };
        foreach (var arg in new[] { "run", "--dry-run", "--Worker:Schedule=* * * * * *", $"--Prometheus:Url={prometheusUrl}",
                     $"--Git:RemoteUrl={s.Remote}", $"--Git:CacheDirectory={s.Cache}" })
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        var lines = new List<string>();
        var listening = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        var stdout = Task.Run(async () =>
        {
            while (await process.StandardOutput.ReadLineAsync() is { } line)
            {
                lock (lines)
                {
                    lines.Add(line);
                }

                if (line.Contains("Now listening on", StringComparison.Ordinal))
                {
                    listening.TrySetResult(JsonDocument.Parse(line).RootElement.GetProperty("State").GetProperty("address").GetString()!);
                }
            }
        });
        var stderr = process.StandardError.ReadToEndAsync();
        try
        {
            using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            var address = await listening.Task.WaitAsync(deadline.Token);
            // The cycle has cloned and judges the canary: its first query is waiting on the silent socket.
            using var held = await silentPrometheus.AcceptTcpClientAsync(deadline.Token);
            using var http = new HttpClient { BaseAddress = new Uri(address) };
            Assert.Equal(HttpStatusCode.OK, (await http.GetAsync(new Uri("/healthz", UriKind.Relative), deadline.Token)).StatusCode);

            using (var kill = Process.Start("kill", ["-TERM", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
            {
                await kill.WaitForExitAsync(deadline.Token);
            }

            using var tenSeconds = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            await process.WaitForExitAsync(tenSeconds.Token);
            await stdout;

            Assert.True(process.ExitCode == 0, await stderr);
            Assert.All(lines, l => JsonDocument.Parse(l));
            Assert.Contains(lines, l => l.Contains("Cycle abandoned", StringComparison.Ordinal));
            Assert.Contains(lines, l => l.Contains("Worker stopped", StringComparison.Ordinal));
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }
        }
    }
}
