using System.Collections.Concurrent;
using Demo.Orchestration;
using Scenarios.Live;
using Scenarios.Prometheus;
using TestServers.ArgoCd;
using TestServers.Git;
using TestServers.Kubernetes;

namespace DetectionLatency;

/// <summary>
/// One trial's loop, fresh every time (no state carries over between trials): the tutorial shop's mesh simulator, a
/// real Prometheus scraping it every 15 s with the repository's alert rules and pointed at a real Alertmanager with the
/// repository's route, the Kubernetes API stand-in with Argo CD applying the origin, and two workers side by side that
/// see the same mesh and the same fault: "alert" (webhook token set, the Alertmanager's receiver) and "schedule" (no
/// token, no receiver: the 30 s schedule alone). Each worker has its own origin (identical commits) and GitHub stand-in,
/// so neither sees the other's pull requests. Nobody merges: the rollback pull request opening is the measured event.
/// </summary>
public sealed class Rig : IAsyncDisposable
{
    public const string WebhookToken = "bench-webhook-token";

    private readonly Stack<IAsyncDisposable> _parts = new();
    private readonly DirectoryInfo _work;
    private readonly bool _keep;
    private readonly ConcurrentQueue<DateTimeOffset> _scrapes = new();
    private readonly CancellationTokenSource _stop = new();
    private Task _scrapeWatch = Task.CompletedTask;
    private ArgoCdStandIn _argo = null!;

    private Rig(DirectoryInfo work, bool keep)
    {
        _work = work;
        _keep = keep;
    }

    public MeshSimulator Mesh { get; private set; } = null!;

    public ScrapingPrometheus Prometheus { get; private set; } = null!;

    public AlertmanagerProcess Alertmanager { get; private set; } = null!;

    public WorkerUnderTest AlertWorker { get; private set; } = null!;

    public WorkerUnderTest ScheduleWorker { get; private set; } = null!;

    public IReadOnlyList<WorkerUnderTest> Workers => [AlertWorker, ScheduleWorker];

    public string WorkDirectory => _work.FullName;

    /// <summary>When the mesh simulator answered a scrape (watched every 20 ms).</summary>
    public IReadOnlyList<DateTimeOffset> Scrapes => [.. _scrapes];

    public static async Task<Rig> StartAsync(BenchSettings settings, CancellationToken ct)
    {
        var rig = new Rig(Directory.CreateTempSubdirectory("detection-latency-"), settings.Keep);
        try
        {
            await rig.StartPartsAsync(settings, ct);
            return rig;
        }
        catch
        {
            await rig.DisposeAsync();
            throw;
        }
    }

    private async Task StartPartsAsync(BenchSettings s, CancellationToken ct)
    {
        var work = _work.FullName;
        var originAlert = OriginRepository.Create(s.RepositoryRoot, Path.Combine(work, "origin-alert.git"), DemoLoop.OriginPaths);
        // A byte copy, so both workers' origins have the same commits and the one Argo CD's synced revision is both's.
        var originSchedule = Path.Combine(work, "origin-schedule.git");
        CopyDirectory(originAlert, originSchedule);

        var cluster = await KubernetesTestServer.StartAsync();
        _parts.Push(cluster);
        var kubeconfig = cluster.WriteKubeconfig(Path.Combine(work, "kube"));
        var argo = _argo = await ArgoCdStandIn.StartAsync(cluster, originAlert, new ArgoCdStandInOptions([DemoLoop.Application], TimeSpan.FromSeconds(2)), ct);
        _parts.Push(argo);

        Mesh = await MeshSimulator.StartAsync(new MeshOptions(TutorialShop.MeshServices(Shop),
            service => argo.LiveWeights(TutorialShop.Namespace, service)), ct);
        _parts.Push(Mesh);
        _scrapeWatch = Task.Run(() => WatchScrapesAsync(_stop.Token), CancellationToken.None);

        var alertPort = Ports.Free();
        var schedulePort = Ports.Free();
        Alertmanager = await AlertmanagerProcess.StartAsync(s.RepositoryRoot, Path.Combine(work, "alertmanager"),
            new Uri($"http://127.0.0.1:{alertPort}/hooks/alertmanager"), WebhookToken, ct);
        _parts.Push(new Disposer(Alertmanager.Dispose));

        // The addons' Prometheus: 15 s scrapes, a 1m global evaluation interval (the rule group sets its own 15 s).
        Prometheus = await ScrapingPrometheus.StartAsync([Mesh.MetricsUrl], TimeSpan.FromSeconds(15), [s.RuleFile], Alertmanager.Url,
            TimeSpan.FromMinutes(1), ct);
        _parts.Push(Prometheus);

        AlertWorker = await WorkerUnderTest.StartAsync("alert", s.WorkerAssembly, originAlert, Path.Combine(work, "worker-alert"), alertPort,
            Prometheus.BaseUrl, kubeconfig, WebhookToken, ct);
        _parts.Push(AlertWorker);
        ScheduleWorker = await WorkerUnderTest.StartAsync("schedule", s.WorkerAssembly, originSchedule, Path.Combine(work, "worker-schedule"), schedulePort,
            Prometheus.BaseUrl, kubeconfig, webhookToken: null, ct);
        _parts.Push(ScheduleWorker);
    }

    /// <summary>The tutorial shop at its own traffic (TutorialShop's rates); both canaries start at v1 80 / v2 20 as the repository has them.</summary>
    private static Storyline Shop { get; } = new("detection-latency", [
        new CanaryScript("product-catalog", RequestsPerSecond: 100, ExpectedFinalCanaryWeight: 20),
        new CanaryScript("order-management", RequestsPerSecond: 30, ExpectedFinalCanaryWeight: 20),
    ]);

    /// <summary>
    /// Throws unless Prometheus has v2 requests of every canary: a fault on a subset that gets no traffic (live weights
    /// unknown to the mesh) would show nothing but the ejection gauge and measure nothing honest.
    /// </summary>
    public async Task EnsureCanaryTrafficAsync(IEnumerable<string> services, CancellationToken ct)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        const string query = "sum by (destination_service_name) (istio_requests_total{reporter=\"destination\", destination_version=\"v2\"})";
        await using var stream = await http.GetStreamAsync(new Uri(Prometheus.BaseUrl, "api/v1/query?query=" + Uri.EscapeDataString(query)), ct);
        using var doc = await System.Text.Json.JsonDocument.ParseAsync(stream, cancellationToken: ct);
        var seen = doc.RootElement.GetProperty("data").GetProperty("result").EnumerateArray()
            .Where(r => double.Parse(r.GetProperty("value")[1].GetString()!, System.Globalization.CultureInfo.InvariantCulture) > 0)
            .Select(r => r.GetProperty("metric").GetProperty("destination_service_name").GetString())
            .ToHashSet(StringComparer.Ordinal);
        if (services.FirstOrDefault(s => !seen.Contains(s)) is { } missing)
        {
            throw new InvalidOperationException($"{missing} v2 gets no traffic in the mesh (live weights {string.Join(",", _argo.LiveWeights(TutorialShop.Namespace, missing) ?? new Dictionary<string, int>())})");
        }
    }

    private async Task WatchScrapesAsync(CancellationToken ct)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(20));
        var seen = Mesh.Scrapes;
        try
        {
            while (await timer.WaitForNextTickAsync(ct))
            {
                var now = Mesh.Scrapes;
                if (now != seen)
                {
                    seen = now;
                    _scrapes.Enqueue(DateTimeOffset.UtcNow);
                }
            }
        }
        catch (OperationCanceledException)
        {
            // Stopped with the rig.
        }
    }

    private static void CopyDirectory(string from, string to)
    {
        foreach (var dir in Directory.EnumerateDirectories(from, "*", SearchOption.AllDirectories))
        {
            Directory.CreateDirectory(Path.Combine(to, Path.GetRelativePath(from, dir)));
        }

        Directory.CreateDirectory(to);
        foreach (var file in Directory.EnumerateFiles(from, "*", SearchOption.AllDirectories))
        {
            File.Copy(file, Path.Combine(to, Path.GetRelativePath(from, file)));
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _scrapeWatch;
        // Workers first (they call everything else), then the rest in reverse start order.
        while (_parts.TryPop(out var part))
        {
            try
            {
                await part.DisposeAsync();
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                await Console.Error.WriteLineAsync($"cleanup: {part.GetType().Name}: {ex.Message}");
            }
        }

        _stop.Dispose();
        if (_keep)
        {
            return;
        }

        try
        {
            _work.Delete(recursive: true);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // A file still held open: the temp folder is the system's to clean.
        }
    }

    private sealed class Disposer(Action dispose) : IAsyncDisposable
    {
        public ValueTask DisposeAsync()
        {
            dispose();
            return ValueTask.CompletedTask;
        }
    }
}
