namespace PromotionBot.Worker;

/// <summary>
/// /readyz: the configuration was valid (the host does not start otherwise) and, on the leader, a cycle finished
/// within the last three schedule periods — successful or not, since readiness must not depend on GitHub or
/// Prometheus being up. A standby is always ready. Until a first cycle, the start (or the last standby moment) counts.
/// </summary>
public sealed class Readiness(CycleStatus status, CycleSchedule schedule, ILeadership leadership, TimeProvider time)
{
    public const int PeriodsAllowed = 3;

    public (bool Ready, string Detail) Check()
    {
        if (!leadership.IsLeader)
        {
            return (true, "ready: standby (not the leader)");
        }

        var now = time.GetUtcNow();
        var s = status.Current;
        var reference = new[] { s.StartedAt, s.LastFinishedAt ?? s.StartedAt, s.LastStandbyAt ?? s.StartedAt }.Max();
        var period = schedule.PeriodAt(now);
        var allowed = period >= TimeSpan.MaxValue / PeriodsAllowed ? TimeSpan.MaxValue : period * PeriodsAllowed;
        var age = now - reference;
        var what = s.LastFinishedAt is null ? "no cycle finished yet; started" : "last cycle finished";
        return age <= allowed
            ? (true, $"ready: leader, {what} {age.TotalSeconds:0} s ago")
            : (false, $"not ready: leader, {what} {age.TotalSeconds:0} s ago, more than {PeriodsAllowed} schedule periods ({allowed.TotalSeconds:0} s)");
    }
}
