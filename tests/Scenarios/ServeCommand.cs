using System.Globalization;
using System.Runtime.InteropServices;
using Scenarios.Catalog;
using Scenarios.Prometheus;

namespace Scenarios;

/// <summary>
/// <c>serve &lt;scenario&gt; [--port N] [--info-file PATH]</c>: backfills a named scenario into a real Prometheus and keeps it running
/// until SIGINT/SIGTERM. Prints (and writes to the info file) PROMETHEUS_URL, EVALUATION_AT, PROMETHEUS_PID and SERVE_PID lines.
/// </summary>
public static class ServeCommand
{
    public static async Task<int> RunAsync(string[] args)
    {
        if (args.Length < 2 || args[0] != "serve")
        {
            await Console.Error.WriteLineAsync("usage: Scenarios serve tutorial [--port N] [--info-file PATH]");
            return 2;
        }

        var set = args[1] switch
        {
            "tutorial" => TutorialScenario.Build(),
            _ => null,
        };
        if (set is null)
        {
            await Console.Error.WriteLineAsync($"unknown scenario '{args[1]}' (known: tutorial)");
            return 2;
        }

        var infoFile = Option(args, "--info-file");
        int? port = Option(args, "--port") is { } p ? int.Parse(p, CultureInfo.InvariantCulture) : null;
        using var stop = new CancellationTokenSource();
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, c => { c.Cancel = true; stop.Cancel(); });
        using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, c => { c.Cancel = true; stop.Cancel(); });

        await using var server = await PrometheusServer.StartAsync(set, port, stop.Token);
        var info = string.Create(CultureInfo.InvariantCulture,
            $"PROMETHEUS_URL={server.BaseUrl}\nEVALUATION_AT={set.At.UtcDateTime:yyyy-MM-ddTHH:mm:ssZ}\nPROMETHEUS_PID={server.ProcessId}\nSERVE_PID={Environment.ProcessId}\n");
        await Console.Out.WriteAsync(info);
        await Console.Out.FlushAsync();
        if (infoFile is not null)
        {
            await File.WriteAllTextAsync(infoFile + ".tmp", info);
            File.Move(infoFile + ".tmp", infoFile, overwrite: true);
        }

        try
        {
            await Task.Delay(Timeout.Infinite, stop.Token);
        }
        catch (OperationCanceledException)
        {
        }

        return 0;
    }

    private static string? Option(string[] args, string name)
    {
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
    }
}
