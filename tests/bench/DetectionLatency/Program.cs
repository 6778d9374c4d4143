using System.Globalization;
using System.Runtime.InteropServices;
using DetectionLatency;

// Detection-latency benchmark (docs/detection-latency.md): fault onset → rollback pull request opened, at production
// settings, with and without the Alertmanager trigger. Not a test: it prints numbers.
//   dotnet run -c Release --project tests/bench/DetectionLatency -- [--trials N] [--fault circuit-breaking|error-rate|all]
//       [--seed N] [--rules FILE] [--keep]
using var cancel = new CancellationTokenSource();
using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);

var root = RepositoryRoot();
var trials = 5;
var faults = (IReadOnlyList<FaultKind>)[FaultKind.CircuitBreaking];
var seed = Environment.TickCount & int.MaxValue;
var rules = Path.Combine(root, "infrastructure", "addons", "alerting", "canary-alerts.rules.yml");
var keep = false;
for (var i = 0; i < args.Length; i++)
{
    var value = i + 1 < args.Length ? args[i + 1] : "";
    switch (args[i])
    {
        case "--trials" when int.TryParse(value, CultureInfo.InvariantCulture, out var n) && n > 0:
            trials = n;
            i++;
            break;
        case "--fault" when value is "circuit-breaking" or "error-rate" or "all":
            faults = value == "all" ? FaultKind.All : [FaultKind.All.First(f => f.Name == value)];
            i++;
            break;
        case "--seed" when int.TryParse(value, CultureInfo.InvariantCulture, out var s):
            seed = s;
            i++;
            break;
        case "--rules" when File.Exists(value):
            rules = Path.GetFullPath(value);
            i++;
            break;
        case "--keep":
            keep = true;
            break;
        default:
            await Console.Error.WriteLineAsync(
                $"usage: DetectionLatency [--trials N] [--fault circuit-breaking|error-rate|all] [--seed N] [--rules FILE] [--keep] (not understood: {args[i]})");
            return 2;
    }
}

#if DEBUG
const string configuration = "Debug";
#else
const string configuration = "Release";
#endif
var settings = new BenchSettings
{
    RepositoryRoot = root,
    WorkerAssembly = Path.Combine(root, "bot", "PromotionBot", "bin", configuration, "net10.0", "PromotionBot.dll"),
    RuleFile = rules,
    Faults = faults,
    Trials = trials,
    Seed = seed,
    Keep = keep,
};

Console.WriteLine($"Detection latency: {trials} trial(s) of {string.Join(" + ", faults.Select(f => $"{f.Name} ({f.Service} v2: {f.Description})"))}, seed {seed}.");
Console.WriteLine("Production settings: the shipped policies (Policy:TimeScale 1), the worker's default schedule */30 s, Prometheus scraping every 15 s");
Console.WriteLine($"(global evaluation 1m, the rule group's own 15 s), rules {Path.GetRelativePath(root, rules)}, Alertmanager with infrastructure/addons/alerting/alertmanager.yml.");
Console.WriteLine("Each trial: a fresh rig; two workers side by side on the same mesh and fault — 'alert' (webhook token, Alertmanager's receiver)");
Console.WriteLine($"and 'schedule' (no token: the schedule alone); faults start at random moments within {settings.OnsetSpread.TotalSeconds:0} s once both workers have run a cycle.");
Console.WriteLine($"Machine: {Environment.ProcessorCount} cores, load average {LoadAverage()} at start.");
Console.WriteLine();

var random = new Random(seed);
var measurements = new List<Measurement>();
var failures = 0;
try
{
    for (var t = 1; t <= trials; t++)
    {
        try
        {
            measurements.AddRange(await Trial.RunAsync(t, settings, random, line => Console.WriteLine($"[{DateTime.UtcNow:HH:mm:ss}] {line}"), cancel.Token));
        }
        catch (Exception ex) when (ex is InvalidOperationException or TimeoutException or IOException)
        {
            failures++;
            await Console.Error.WriteLineAsync($"trial {t} failed: {ex.Message}");
        }
    }
}
catch (OperationCanceledException) when (cancel.IsCancellationRequested)
{
    await Console.Error.WriteLineAsync("Interrupted; every part of the running trial was stopped. The table has the trials that finished.");
}

Console.WriteLine();
Console.WriteLine($"Machine: {Environment.ProcessorCount} cores, load average {LoadAverage()} at the end. Seed {seed}. {failures} trial(s) failed to run.");
Console.WriteLine();
Console.Write(LatencyTable.Render(measurements));
return measurements.Count > 0 && failures == 0 ? 0 : 1;

static string LoadAverage()
{
    try
    {
        return string.Join(" ", File.ReadAllText("/proc/loadavg").Split(' ').Take(3));
    }
    catch (IOException)
    {
        return "unknown";
    }
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

    throw new InvalidOperationException("Run the benchmark inside the repository (GitOpsPromotion.sln not found above the current folder).");
}

void Stop(PosixSignalContext context)
{
    context.Cancel = true;
    cancel.Cancel();
}
