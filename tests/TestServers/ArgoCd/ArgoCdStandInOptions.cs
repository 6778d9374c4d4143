namespace TestServers.ArgoCd;

/// <param name="Applications">Applications the stand-in syncs (kustomize-only paths); every other Application is put as git has it, without status.</param>
/// <param name="SyncDelay">From noticing that the branch moved to syncing it (Argo CD's refresh latency).</param>
/// <param name="Branch">The branch every Application follows.</param>
/// <param name="PollInterval">How often the branch is read; null = 500 ms.</param>
/// <param name="ArgoNamespace">Where the Application objects live.</param>
/// <param name="RootPath">The app-of-apps path: kustomize renders the Application objects from it, as the root Application would.</param>
/// <param name="Log">Receives one line per sync and per failed sync; null = silent (see <c>Problems</c>).</param>
public sealed record ArgoCdStandInOptions(
    IReadOnlyList<string> Applications,
    TimeSpan SyncDelay,
    string Branch = "main",
    TimeSpan? PollInterval = null,
    string ArgoNamespace = "argocd",
    string RootPath = "clusters/kind",
    Action<string>? Log = null);

/// <summary>One sync of an Application to a revision.</summary>
/// <param name="SeenAt">When the stand-in noticed the branch at (or before) this revision.</param>
/// <param name="FinishedAt">When the objects were live and the status said so (status.operationState.finishedAt, to the second).</param>
/// <param name="Changed">Objects created, updated or pruned; 0 when the revision changed nothing of this Application (no sync operation ran, as Argo CD runs none when Synced).</param>
public sealed record SyncRecord(string Application, string Revision, DateTimeOffset SeenAt, DateTimeOffset FinishedAt, int Changed = 0);
