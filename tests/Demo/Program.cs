using System.Globalization;
using System.Runtime.InteropServices;
using Demo.Orchestration;

// `make demo`: the tutorial's canary story through the real worker (see docs/demo.md). A shell around DemoLoop:
// arguments, Ctrl-C/SIGTERM, the summary file and the exit code. Exit 0 only when the story ended as scripted.
//   dotnet tests/Demo/bin/<cfg>/net10.0/Demo.dll [--time-scale N] [--timeout SECONDS] [--story tutorial|brief]
// DEMO_SUMMARY=<file> also writes the summary as JSON.
using var cancel = new CancellationTokenSource();
var stopped = false;
using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);

var settings = new LoopSettings
{
    RepositoryRoot = RepositoryRoot(),
    Output = Console.Out,
    PullRequestsDirectory = Path.Combine(Path.GetTempPath(), $"promotion-demo-pull-requests-{DateTime.UtcNow:yyyyMMdd-HHmmss}"),
};
var overall = TimeSpan.FromSeconds(150);
for (var i = 0; i < args.Length; i++)
{
    var value = i + 1 < args.Length ? args[i + 1] : "";
    switch (args[i])
    {
        case "--time-scale" when double.TryParse(value, CultureInfo.InvariantCulture, out var scale) && scale >= 1:
            settings = settings with { TimeScale = scale };
            i++;
            break;
        case "--timeout" when int.TryParse(value, CultureInfo.InvariantCulture, out var seconds) && seconds > 0:
            overall = TimeSpan.FromSeconds(seconds);
            i++;
            break;
        case "--story" when value is "tutorial" or "brief":
            settings = settings with { Storyline = value == "brief" ? Storyline.Brief : Storyline.Tutorial };
            i++;
            break;
        default:
            await Console.Error.WriteLineAsync($"usage: Demo [--time-scale N≥1] [--timeout SECONDS] [--story tutorial|brief] (unknown: {args[i]})");
            return 2;
    }
}

// The hard limit covers start-up too; the story itself gets what is left.
cancel.CancelAfter(overall);
settings = settings with { StoryTimeout = overall - TimeSpan.FromSeconds(20) };
try
{
    await using var loop = await DemoLoop.StartAsync(settings, cancel.Token);
    var summary = await loop.RunStorylineAsync(cancel.Token);
    if (Environment.GetEnvironmentVariable("DEMO_SUMMARY") is { Length: > 0 } file)
    {
        await File.WriteAllTextAsync(file, summary.ToJson());
        Console.WriteLine($"Summary JSON: {file}");
    }

    return summary.Succeeded ? 0 : 1;
}
catch (OperationCanceledException) when (cancel.IsCancellationRequested)
{
    await Console.Error.WriteLineAsync(stopped ? "Interrupted; every part was stopped and its files removed." : $"FAILED: the demo did not finish within {overall.TotalSeconds:0} s.");
    return stopped ? 130 : 1;
}
catch (Exception ex) when (ex is InvalidOperationException or TimeoutException or FileNotFoundException or IOException)
{
    await Console.Error.WriteLineAsync($"FAILED: {ex.Message}");
    return 1;
}

static string RepositoryRoot()
{
    foreach (var start in new[] { Environment.CurrentDirectory, AppContext.BaseDirectory })
    {
        for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "GitOpsPromotion.sln")))
            {
                return dir.FullName;
            }
        }
    }

    throw new InvalidOperationException("Run the demo inside the repository (GitOpsPromotion.sln not found above the current folder).");
}

void Stop(PosixSignalContext context)
{
    // Handled here: the loop's finally blocks stop the children and delete the working directory. Cancelled off the
    // signal thread: cancellation runs continuations inline, and .NET also reaps child processes on that thread.
    context.Cancel = true;
    stopped = true;
    _ = Task.Run(cancel.Cancel);
}
