using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Threading.Channels;
using Scenarios.Live;
using Scenarios.Prometheus;
using TestServers.ArgoCd;
using TestServers.Git;
using TestServers.GitHub;
using TestServers.Kubernetes;

namespace Demo.Orchestration;

/// <summary>
/// The whole loop on loopback: a git origin with this repository's manifests behind the GitHub API stand-in and a
/// reviewer who merges, the Kubernetes API stand-in with an Argo CD loop applying main, a mesh simulator whose split
/// follows the live weights, a Prometheus scraping it, and the real worker as a child process. <see cref="StartAsync"/>
/// brings everything up, <see cref="RunStorylineAsync"/> plays the storyline with a live view and returns the summary;
/// disposing stops every part and deletes the working directory (the pull request bodies folder stays).
/// </summary>
public sealed partial class DemoLoop : IAsyncDisposable
{
    public const string Owner = "demo";
    public const string RepositoryName = "gitops";
    public const string Token = "demo-github-token";
    public const string Application = "ecommerce";

    /// <summary>Top-level folders of this repository copied into the origin, as a user's GitOps repository holds them.</summary>
    public static readonly IReadOnlyList<string> OriginPaths = ["apps", "argocd", "clusters", "infrastructure"];

    private static readonly string[] RouteOrder = ["v1", "v2"];

    private readonly LoopSettings _settings;
    private readonly DirectoryInfo _work;
    private readonly Stack<IAsyncDisposable> _parts = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Task> _background = [];
    private readonly Channel<WorkerEvent> _events = Channel.CreateUnbounded<WorkerEvent>(new UnboundedChannelOptions { SingleReader = true });
    private readonly ConcurrentDictionary<string, CanaryDecision> _lastDecision = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, DateTimeOffset> _faultAt = new(StringComparer.Ordinal);
    private readonly object _print = new();
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(5) };
    private readonly IReadOnlyDictionary<string, TimeSpan> _windows;
    private bool _disposed;

    private DemoLoop(LoopSettings settings, DirectoryInfo work)
    {
        _settings = settings;
        _work = work;
        _windows = TutorialShop.PolicyWindows(settings.RepositoryRoot);
    }

    public string OriginPath { get; private set; } = "";

    public GitHubTestServer GitHub { get; private set; } = null!;

    public KubernetesTestServer Cluster { get; private set; } = null!;

    public ArgoCdStandIn ArgoCd { get; private set; } = null!;

    public MeshSimulator Mesh { get; private set; } = null!;

    public ScrapingPrometheus Prometheus { get; private set; } = null!;

    public DemoReviewer Reviewer { get; private set; } = null!;

    public PullRequestTracker PullRequests { get; private set; } = null!;

    public WorkerProcess Worker { get; private set; } = null!;

    /// <summary>The worker's HTTP root (/healthz, /metrics, POST /hooks/alertmanager).</summary>
    public Uri WorkerUrl { get; private set; } = null!;

    /// <summary>When every part was up; the view's clock starts here.</summary>
    public DateTimeOffset StartedAt { get; private set; }

    /// <summary>Every event the worker logged that the loop understands (decisions, cycle ends, warnings), as it arrives.</summary>
    public event Action<WorkerEvent>? WorkerEventReceived;

    public static async Task<DemoLoop> StartAsync(LoopSettings settings, CancellationToken ct = default)
    {
        var loop = new DemoLoop(settings, Directory.CreateTempSubdirectory("promotion-demo-"));
        try
        {
            await loop.StartPartsAsync(ct);
            return loop;
        }
        catch
        {
            await loop.DisposeAsync();
            throw;
        }
    }

    /// <summary>The canary subset's behaviour from now on (the benchmark injects and heals faults with it).</summary>
    public void SetCanaryBehaviour(string service, SubsetBehaviour behaviour) => Mesh.SetBehaviour(service, "v2", behaviour);

    /// <summary>Live weights of a canary's VirtualService in route order (empty while the cluster has none).</summary>
    public IReadOnlyList<KeyValuePair<string, int>> LiveWeights(string service) =>
        Weights.Ordered(ArgoCd.LiveWeights(TutorialShop.Namespace, service), RouteOrder);

    private async Task StartPartsAsync(CancellationToken ct)
    {
        var s = _settings;
        Print($"Starting the loop in {_work.FullName} ...");
        OriginPath = OriginRepository.Create(s.RepositoryRoot, Path.Combine(_work.FullName, "origin.git"), OriginPaths);

        GitHub = await GitHubTestServer.StartAsync(Owner, RepositoryName, OriginPath);
        _parts.Push(GitHub);
        GitHub.AcceptToken(Token);

        Cluster = await KubernetesTestServer.StartAsync();
        _parts.Push(Cluster);
        var kubeconfig = Cluster.WriteKubeconfig(Path.Combine(_work.FullName, "kube"));

        ArgoCd = await ArgoCdStandIn.StartAsync(Cluster, OriginPath, new ArgoCdStandInOptions([Application], s.SyncDelay), ct);
        _parts.Push(ArgoCd);

        Mesh = await MeshSimulator.StartAsync(new MeshOptions(TutorialShop.MeshServices(s.Storyline),
            service => ArgoCd.LiveWeights(TutorialShop.Namespace, service)), ct);
        _parts.Push(Mesh);

        Prometheus = await ScrapingPrometheus.StartAsync([Mesh.MetricsUrl], s.ScrapeInterval, s.AlertRuleFiles, s.Alertmanager, cancellationToken: ct);
        _parts.Push(Prometheus);

        PullRequests = new PullRequestTracker(GitHub, s.PullRequestsDirectory,
            canary => _lastDecision.TryGetValue(canary, out var d) ? d.Weights : LiveWeights(canary));
        Reviewer = DemoReviewer.Start(GitHub.ApiUrl, Token, Owner, RepositoryName, s.ReviewerDelay);
        _parts.Push(Reviewer);
        Reviewer.PullMerged += pull => PullRequests.NoteMerge(pull.Number, pull.MergedAt, pull.MergeSha);
        ArgoCd.Synced += OnSynced;
        _background.Add(Task.Run(() => IgnoreStop(PullRequests.RunAsync(TimeSpan.FromMilliseconds(100), _stop.Token)), CancellationToken.None));

        var port = s.WorkerPort != 0 ? s.WorkerPort : FreePort();
        WorkerUrl = new Uri($"http://127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}/");
        Worker = WorkerProcess.Start(WorkerAssembly(), WorkerArguments(kubeconfig), WorkerEnvironment(), Path.Combine(_work.FullName, "worker.log"));
        _parts.Push(Worker);
        Worker.Line += OnWorkerLine;
        await Worker.WaitHealthyAsync(WorkerUrl, "The worker", TimeSpan.FromSeconds(60), ct);
        StartedAt = DateTimeOffset.UtcNow;
    }

    private IEnumerable<string> WorkerArguments(string kubeconfig)
    {
        var s = _settings;
        var settings = new List<KeyValuePair<string, string>>
        {
            new("Worker:Schedule", s.Schedule),
            new("GitHub:ApiUrl", GitHub.ApiUrl.ToString()),
            new("GitHub:Token", Token),
            new("GitHub:Owner", Owner),
            new("GitHub:Repository", RepositoryName),
            new("Git:RemoteUrl", OriginPath),
            new("Git:CacheDirectory", Path.Combine(_work.FullName, "worker-clone")),
            new("Prometheus:Url", Prometheus.BaseUrl.ToString()),
            new("Cluster:Kubeconfig", kubeconfig),
            // One worker: leader election would only add a Lease round trip before the first cycle.
            new("LeaderElection:Enabled", "false"),
            new("Policy:TimeScale", s.TimeScale.ToString(CultureInfo.InvariantCulture)),
            new("Logging:Console:FormatterName", "json"),
            new("Logging:LogLevel:Microsoft.AspNetCore", "Warning"),
        };
        if (s.WebhookToken is not null)
        {
            settings.Add(new("Alerting:WebhookToken", s.WebhookToken));
        }

        settings.AddRange(s.WorkerSettings);
        return ["run", .. settings.Select(kv => $"--{kv.Key}={kv.Value}")];
    }

    private Dictionary<string, string?> WorkerEnvironment() => new(StringComparer.Ordinal)
    {
        ["ASPNETCORE_URLS"] = WorkerUrl.ToString().TrimEnd('/'),
        // The cluster is the stand-in named by Cluster:Kubeconfig only; nothing of the caller's environment leaks in.
        ["KUBECONFIG"] = null,
        ["POD_NAME"] = null,
        ["POD_NAMESPACE"] = null,
        ["DOTNET_ENVIRONMENT"] = null,
        ["ASPNETCORE_ENVIRONMENT"] = null,
        ["DOTNET_gcServer"] = "0",
    };

    private string WorkerAssembly()
    {
        if (_settings.WorkerAssembly is { } explicitPath)
        {
            return explicitPath;
        }

#if DEBUG
        const string configuration = "Debug";
#else
        const string configuration = "Release";
#endif
        return Path.Combine(_settings.RepositoryRoot, "bot", "PromotionBot", "bin", configuration, "net10.0", "PromotionBot.dll");
    }

    private void OnWorkerLine(string line)
    {
        if (WorkerEvent.Parse(line, DateTimeOffset.UtcNow) is { } e)
        {
            if (e is CanaryDecision d)
            {
                _lastDecision[d.Name] = d;
            }

            _events.Writer.TryWrite(e);
            WorkerEventReceived?.Invoke(e);
        }
    }

    private void OnSynced(SyncRecord sync)
    {
        var changed = new List<string>();
        foreach (var pr in PullRequests.Records.Where(r => r.MergedAt is not null && r.LiveAt is null))
        {
            if (LiveWeights(pr.Canary).SequenceEqual(pr.Weights))
            {
                pr.LiveAt = sync.FinishedAt;
                changed.Add($"{pr.Canary} {Weights.Format(pr.Weights)} (#{pr.Number})");
            }
        }

        Event(sync.FinishedAt, $"Argo CD synced {sync.Revision[..Math.Min(7, sync.Revision.Length)]}" +
            (changed.Count > 0 ? ": live " + string.Join(", ", changed) : ""));
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static async Task IgnoreStop(Task task)
    {
        try
        {
            await task;
        }
        catch (OperationCanceledException)
        {
            // Stopped with the loop.
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        await _stop.CancelAsync();
        await Task.WhenAll(_background).WaitAsync(TimeSpan.FromSeconds(10)).ContinueWith(_ => { }, TaskScheduler.Default);
        if (ArgoCd is not null)
        {
            ArgoCd.Synced -= OnSynced;
        }

        // Worker first (it calls everything else), then the rest in reverse start order.
        while (_parts.TryPop(out var part))
        {
            try
            {
                await part.DisposeAsync();
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                Print($"cleanup: {part.GetType().Name}: {ex.Message}");
            }
        }

        _http.Dispose();
        _stop.Dispose();
        try
        {
            _work.Delete(recursive: true);
        }
        catch (IOException)
        {
            // A file still held open: the temp folder is the system's to clean.
        }
        catch (UnauthorizedAccessException)
        {
            // Read-only git objects are handled by Delete on Linux; anything else stays for the system to clean.
        }
    }
}
