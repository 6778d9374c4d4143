using PromotionBot.PullRequests;

namespace PromotionBot.Worker;

/// <summary>
/// What the worker has done so far, read by /readyz and the metrics callbacks. Written by the one worker loop,
/// read from request threads: every update swaps an immutable snapshot.
/// </summary>
public sealed class CycleStatus(TimeProvider time)
{
    private readonly object gate = new();
    private Snapshot current = new(time.GetUtcNow(), null, null, null, new Dictionary<string, long>(), new Dictionary<(string, string), long>());

    /// <param name="StartedAt">When the worker started: the reference for readiness until a first cycle finishes.</param>
    /// <param name="LastFinishedAt">End of the last cycle that finished (with or without failures); null before the first.</param>
    /// <param name="LastStandbyAt">Last time the worker skipped a due cycle as a standby: a new leader is judged from then.</param>
    /// <param name="LastReport">Report of the last cycle that returned one.</param>
    /// <param name="Cycles">Finished cycles by result.</param>
    /// <param name="Decisions">Decisions by (canary, decision).</param>
    public sealed record Snapshot(
        DateTimeOffset StartedAt,
        DateTimeOffset? LastFinishedAt,
        DateTimeOffset? LastStandbyAt,
        CycleReport? LastReport,
        IReadOnlyDictionary<string, long> Cycles,
        IReadOnlyDictionary<(string Canary, string Decision), long> Decisions);

    public Snapshot Current => Volatile.Read(ref current);

    internal void Standby(DateTimeOffset at)
    {
        lock (gate)
        {
            Volatile.Write(ref current, current with { LastStandbyAt = at });
        }
    }

    internal void Finished(string result, CycleReport? report, DateTimeOffset at)
    {
        lock (gate)
        {
            var cycles = new Dictionary<string, long>(current.Cycles);
            cycles[result] = cycles.GetValueOrDefault(result) + 1;
            var decisions = new Dictionary<(string, string), long>(current.Decisions);
            foreach (var canary in report?.Canaries ?? [])
            {
                decisions[(canary.Canary, canary.Decision)] = decisions.GetValueOrDefault((canary.Canary, canary.Decision)) + 1;
            }

            Volatile.Write(ref current, current with
            {
                LastFinishedAt = at,
                LastReport = report ?? current.LastReport,
                Cycles = cycles,
                Decisions = decisions,
            });
        }
    }
}
