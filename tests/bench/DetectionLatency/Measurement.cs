namespace DetectionLatency;

/// <summary>
/// One fault in one trial as one worker saw it. <see cref="Latency"/> is fault onset (the SetBehaviour call) → the
/// rollback pull request first seen on the worker's GitHub stand-in; null when none opened within the fault's timeout.
/// The rest says where the time went.
/// </summary>
/// <param name="SchedulePhase">Seconds since the last :00/:30 schedule tick at onset.</param>
/// <param name="FirstScrape">Onset → the next scrape of the mesh (the first sample that can show the fault).</param>
/// <param name="Webhook">Onset → the first webhook call that triggered a cycle for the service (alert mode).</param>
/// <param name="CycleStart">Onset → the start of the cycle that opened the rollback.</param>
/// <param name="CycleRun">That cycle's duration as the worker logged it.</param>
public sealed record Measurement(
    int Trial,
    FaultKind Fault,
    string Mode,
    DateTimeOffset Onset,
    double SchedulePhase,
    TimeSpan? FirstScrape,
    TimeSpan? Latency,
    int? PullRequest,
    string? Trigger,
    TimeSpan? Webhook,
    TimeSpan? CycleStart,
    TimeSpan? CycleRun,
    string? Problem = null)
{
    public bool Valid => Problem is null;
}
