using System.Globalization;
using System.Text.Json;

namespace PromotionBot.Cluster;

/// <summary>The parts of an Argo CD Application's status that say whether a commit is live.</summary>
/// <param name="SyncStatus">status.sync.status: Synced, OutOfSync, Unknown (empty when absent).</param>
/// <param name="Revisions">status.sync.revision, or status.sync.revisions[] of a multi-source Application.</param>
/// <param name="Health">status.health.status: Healthy, Progressing, Degraded, Suspended, Missing, Unknown.</param>
/// <param name="OperationPhase">status.operationState.phase of the last sync (Running, Succeeded, Failed, ...); null if none.</param>
/// <param name="FinishedAt">status.operationState.finishedAt: when the last sync finished; null while running or never synced.</param>
public sealed record ArgoApplication(
    string Name,
    string SyncStatus,
    IReadOnlyList<string> Revisions,
    string Health,
    string? OperationPhase,
    DateTimeOffset? FinishedAt)
{
    public bool IsSynced => SyncStatus == "Synced";

    public bool IsHealthy => Health == "Healthy";

    public string RevisionText => Revisions.Count == 0 ? "none" : string.Join(",", Revisions.Select(Abbreviate));

    public static string Abbreviate(string sha) => sha.Length > 12 ? sha[..12] : sha;

    public static ArgoApplication From(string name, JsonElement json)
    {
        var status = Child(json, "status");
        var sync = Child(status, "sync");
        var revisions = new List<string>();
        if (String(sync, "revision") is { Length: > 0 } revision)
        {
            revisions.Add(revision);
        }

        if (Child(sync, "revisions") is { ValueKind: JsonValueKind.Array } many)
        {
            revisions.AddRange(many.EnumerateArray().Where(r => r.ValueKind == JsonValueKind.String).Select(r => r.GetString()!).Where(r => r.Length > 0));
        }

        var operation = Child(status, "operationState");
        DateTimeOffset? finished = String(operation, "finishedAt") is { } text
            && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at) ? at : null;
        return new ArgoApplication(
            name,
            String(sync, "status") ?? "",
            revisions.Distinct(StringComparer.OrdinalIgnoreCase).ToList(),
            String(Child(status, "health"), "status") ?? "",
            String(operation, "phase"),
            finished);
    }

    private static JsonElement? Child(JsonElement? parent, string name) =>
        parent is { ValueKind: JsonValueKind.Object } p && p.TryGetProperty(name, out var child) ? child : null;

    private static string? String(JsonElement? parent, string name) =>
        Child(parent, name) is { ValueKind: JsonValueKind.String } s ? s.GetString() : null;
}
