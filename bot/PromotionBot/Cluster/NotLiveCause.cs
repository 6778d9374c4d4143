using System.Text.Json.Nodes;
using PromotionBot.Policy;

namespace PromotionBot.Cluster;

/// <summary>
/// Why the sync gate holds a canary whose analysis would advance or promote: the step it measured is not (yet, or
/// long enough) what runs in the cluster. <see cref="Text"/> is for people, <see cref="ToJson"/> for logs and tools.
/// </summary>
public abstract record NotLiveCause
{
    /// <summary>Stable machine name of the cause (the JSON "cause" field).</summary>
    public abstract string Kind { get; }

    public abstract string Text { get; }

    public JsonObject ToJson()
    {
        var json = new JsonObject { ["cause"] = Kind, ["text"] = Text };
        foreach (var (key, value) in Fields())
        {
            json[key] = value;
        }

        return json;
    }

    protected abstract IEnumerable<KeyValuePair<string, JsonNode?>> Fields();

    protected static KeyValuePair<string, JsonNode?> Field(string key, JsonNode? value) => new(key, value);
}

/// <summary>Argo CD has not (successfully) synced the commit that last changed the canary's VirtualService.</summary>
/// <param name="Required">The last base commit that changed the VirtualService file.</param>
/// <param name="Synced">status.sync.revision(s) of the Application.</param>
public sealed record WaitingForSync(string Application, string Required, IReadOnlyList<string> Synced, string SyncStatus, string? OperationPhase) : NotLiveCause
{
    public override string Kind => "waiting-for-sync";

    public override string Text =>
        $"waiting for sync: {Application} is {(SyncStatus.Length == 0 ? "not synced" : SyncStatus)} at " +
        $"{(Synced.Count == 0 ? "no revision" : string.Join(",", Synced.Select(ArgoApplication.Abbreviate)))}" +
        (OperationPhase is null or "Succeeded" ? "" : $" (sync {OperationPhase})") +
        $", needs {ArgoApplication.Abbreviate(Required)}";

    protected override IEnumerable<KeyValuePair<string, JsonNode?>> Fields() =>
    [
        Field("application", Application), Field("requiredRevision", Required),
        Field("syncedRevisions", new JsonArray([.. Synced.Select(s => (JsonNode?)s)])), Field("syncStatus", SyncStatus),
        Field("operationPhase", OperationPhase),
    ];
}

/// <summary>The cluster routes differently from git although Argo CD reports the commit as synced.</summary>
public sealed record WeightsDrift(string Stable, string Canary, int GitStable, int GitCanary, int ClusterStable, int ClusterCanary) : NotLiveCause
{
    public override string Kind => "weights-drift";

    public override string Text => $"weights drift: git {GitStable}/{GitCanary}, cluster {ClusterStable}/{ClusterCanary}";

    protected override IEnumerable<KeyValuePair<string, JsonNode?>> Fields() =>
    [
        Field("git", new JsonObject { [Stable] = GitStable, [Canary] = GitCanary }),
        Field("cluster", new JsonObject { [Stable] = ClusterStable, [Canary] = ClusterCanary }),
    ];
}

/// <summary>The step is live, but for less than one analysis window: the window would still measure the old step.</summary>
public sealed record Soaking(TimeSpan Elapsed, TimeSpan Window, DateTimeOffset SyncFinishedAt) : NotLiveCause
{
    public override string Kind => "soaking";

    public override string Text => $"soaking {Durations.Format(Elapsed)} of {Durations.Format(Window)}";

    protected override IEnumerable<KeyValuePair<string, JsonNode?>> Fields() =>
    [
        Field("elapsedSeconds", (long)Elapsed.TotalSeconds), Field("windowSeconds", (long)Window.TotalSeconds),
        Field("syncFinishedAt", SyncFinishedAt.ToUniversalTime().ToString("O", System.Globalization.CultureInfo.InvariantCulture)),
    ];
}

/// <summary>Argo CD reports the Application as anything but Healthy.</summary>
public sealed record ApplicationUnhealthy(string Application, string Health) : NotLiveCause
{
    public override string Kind => "application-unhealthy";

    public override string Text => $"application unhealthy: {Application} is {(Health.Length == 0 ? "of unknown health" : Health)}";

    protected override IEnumerable<KeyValuePair<string, JsonNode?>> Fields() =>
        [Field("application", Application), Field("health", Health)];
}

/// <summary>The live state cannot be established (object missing, no Application found, API unreachable): hold, as for Prometheus down.</summary>
public sealed record LiveStateUnknown(string Detail) : NotLiveCause
{
    public override string Kind => "live-state-unknown";

    public override string Text => $"live state unknown: {Detail}";

    protected override IEnumerable<KeyValuePair<string, JsonNode?>> Fields() => [Field("detail", Detail)];
}
