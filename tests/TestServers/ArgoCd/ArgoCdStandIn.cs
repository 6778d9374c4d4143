using System.Text.Json;
using System.Text.Json.Nodes;
using LibGit2Sharp;
using TestServers.Kubernetes;

namespace TestServers.ArgoCd;

/// <summary>
/// Argo CD's application controller in miniature against <see cref="KubernetesTestServer"/>: puts the Application
/// objects the root path renders (the origin's argocd/applications through clusters/&lt;name&gt;), and
/// <see cref="ArgoCdStandInOptions.SyncDelay"/> after the origin's branch moves renders each synced Application's
/// path at that revision with <c>kubectl kustomize</c>, puts the objects live with Argo CD's tracking annotation,
/// prunes the ones git dropped and writes the Application's status as Argo CD does (sync, operationState, health,
/// history). The bot reads exactly this through the API.
/// </summary>
public sealed partial class ArgoCdStandIn : IAsyncDisposable
{
    private readonly object _gate = new();
    private readonly KubernetesTestServer _cluster;
    private readonly string _bareRepoPath;
    private readonly ArgoCdStandInOptions _options;
    private readonly List<SyncRecord> _syncs = [];
    private readonly List<string> _problems = [];
    private readonly CancellationTokenSource _stop = new();
    private Task _loop = Task.CompletedTask;
    private string? _syncedTip;

    private ArgoCdStandIn(KubernetesTestServer cluster, string bareRepoPath, ArgoCdStandInOptions options)
    {
        _cluster = cluster;
        _bareRepoPath = bareRepoPath;
        _options = options;
    }

    /// <summary>Syncs the branch's current tip, then follows the branch. Returns once that initial sync is live.</summary>
    /// <exception cref="InvalidOperationException">The branch is missing, or a named Application is absent or failed to render.</exception>
    public static async Task<ArgoCdStandIn> StartAsync(KubernetesTestServer cluster, string bareRepoPath, ArgoCdStandInOptions options,
        CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(options.SyncDelay, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(options.PollInterval ?? TimeSpan.FromMilliseconds(500), TimeSpan.Zero);
        var standIn = new ArgoCdStandIn(cluster, bareRepoPath, options);
        var tip = standIn.ReadTip() ?? throw new InvalidOperationException($"the origin has no branch {options.Branch}");
        var failures = await standIn.SyncAsync(tip, DateTimeOffset.UtcNow, cancellationToken);
        if (failures.Count > 0)
        {
            throw new InvalidOperationException("initial sync failed: " + string.Join("; ", failures));
        }

        standIn._syncedTip = tip;
        standIn._loop = Task.Run(() => standIn.LoopAsync(standIn._stop.Token), CancellationToken.None);
        return standIn;
    }

    /// <summary>Every sync so far, in order (the initial one first).</summary>
    public IReadOnlyList<SyncRecord> Syncs
    {
        get
        {
            lock (_gate)
            {
                return _syncs.ToList();
            }
        }
    }

    /// <summary>Failed renders and syncs, as logged.</summary>
    public IReadOnlyList<string> Problems
    {
        get
        {
            lock (_gate)
            {
                return _problems.ToList();
            }
        }
    }

    /// <summary>Raised on the stand-in's loop after each sync of an Application; a handler that throws is logged, not fatal.</summary>
    public event Action<SyncRecord>? Synced;

    /// <summary>Live weights of a VirtualService as the cluster has them now (subset -> weight of its first http route), null if absent.</summary>
    public IReadOnlyDictionary<string, int>? LiveWeights(string @namespace, string virtualService)
    {
        if (_cluster.Get("networking.istio.io", @namespace, "virtualservices", virtualService) is not { } vs)
        {
            return null;
        }

        var weights = new Dictionary<string, int>(StringComparer.Ordinal);
        if (vs["spec"]?["http"] is JsonArray { Count: > 0 } http && http[0]?["route"] is JsonArray route)
        {
            foreach (var destination in route.OfType<JsonObject>())
            {
                var subset = (string?)destination["destination"]?["subset"] ?? (string?)destination["destination"]?["host"] ?? "";
                // Istio: a lone destination without weight takes all traffic, otherwise a missing weight is 0.
                var weight = destination["weight"] is JsonValue w ? w.Deserialize<int>() : route.Count == 1 ? 100 : 0;
                weights[subset] = weights.GetValueOrDefault(subset) + weight;
            }
        }

        return weights;
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        try
        {
            await _loop;
        }
        catch (OperationCanceledException)
        {
        }

        _stop.Dispose();
    }

    private async Task LoopAsync(CancellationToken ct)
    {
        var poll = _options.PollInterval ?? TimeSpan.FromMilliseconds(500);
        while (!ct.IsCancellationRequested)
        {
            await Task.Delay(poll, ct);
            string? tip;
            try
            {
                tip = ReadTip();
            }
            catch (LibGit2SharpException e)
            {
                Problem($"reading {_options.Branch} failed: {e.Message}");
                continue;
            }

            if (tip is null || tip == _syncedTip)
            {
                continue;
            }

            var seenAt = DateTimeOffset.UtcNow;
            await Task.Delay(_options.SyncDelay, ct);
            // Argo CD syncs what the branch says when it refreshes, which may be newer than what woke it.
            tip = ReadTip() ?? tip;
            try
            {
                await SyncAsync(tip, seenAt, ct);
            }
            catch (Exception e) when (!ct.IsCancellationRequested)
            {
                Problem($"sync of {Short(tip)} failed: {e.GetType().Name}: {e.Message}");
            }

            // A failed revision is not retried on its own; the next commit is synced afresh.
            _syncedTip = tip;
        }
    }

    private string? ReadTip()
    {
        using var repo = new Repository(_bareRepoPath);
        return repo.Branches[_options.Branch]?.Tip?.Sha;
    }

    private void Record(SyncRecord record)
    {
        lock (_gate)
        {
            _syncs.Add(record);
        }

        _options.Log?.Invoke($"argocd: {record.Application} synced {Short(record.Revision)} ({record.Changed} objects changed)");
        try
        {
            Synced?.Invoke(record);
        }
        catch (Exception e)
        {
            Problem($"a Synced handler failed: {e.GetType().Name}: {e.Message}");
        }
    }

    private void Problem(string text)
    {
        lock (_gate)
        {
            _problems.Add(text);
        }

        _options.Log?.Invoke("argocd: " + text);
    }

    private static string Short(string sha) => sha.Length > 12 ? sha[..12] : sha;
}
