using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using PromotionBot.PullRequests;

namespace PromotionBot.Worker;

/// <summary>
/// Runs the promotion cycle on the cron schedule, or sooner when <see cref="CycleTrigger"/> asks, while this replica
/// leads. A failing cycle is logged and counted and the next one runs; nothing a cycle does stops the host. When the
/// host stops, the running cycle is cancelled (the cycle is built to be repaired by the next one) and the loop ends.
/// </summary>
public sealed class PromotionWorker(
    ICycleRunner runner,
    CycleSchedule schedule,
    CycleTrigger trigger,
    ILeadership leadership,
    CycleStatus status,
    PromotionMetrics metrics,
    TimeProvider time,
    ILogger<PromotionWorker> logger) : BackgroundService
{
    // Long waits are cut into slices: timers take at most ~49 days, and a slice re-reads the clock.
    private static readonly TimeSpan MaxSleep = TimeSpan.FromHours(1);

    /// <summary>Test hook: called with the due time each time the loop goes to sleep.</summary>
    internal Action<DateTimeOffset>? Sleeping { get; set; }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        WorkerLog.Started(logger, schedule.ToString(), leadership.IsLeader ? "leader" : "standby");
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                var due = schedule.Next(time.GetUtcNow());
                var wake = await WaitAsync(due, stoppingToken);
                if (!leadership.IsLeader)
                {
                    status.Standby(time.GetUtcNow());
                    WorkerLog.Standby(logger, due);
                    continue;
                }

                await RunOnceAsync(wake, stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping while asleep.
        }

        WorkerLog.Stopped(logger);
    }

    private sealed record Wake(bool Triggered, IReadOnlySet<string>? Canaries);

    /// <summary>Sleeps until <paramref name="due"/> or a trigger. A trigger that arrives after the due time runs as the full scheduled cycle.</summary>
    private async Task<Wake> WaitAsync(DateTimeOffset due, CancellationToken ct)
    {
        while (true)
        {
            var remaining = due - time.GetUtcNow();
            if (trigger.TryTakeAll(out var canaries))
            {
                return new Wake(true, remaining <= TimeSpan.Zero ? null : canaries);
            }

            if (remaining <= TimeSpan.Zero)
            {
                return new Wake(false, null);
            }

            using var slice = CancellationTokenSource.CreateLinkedTokenSource(ct);
            var sleep = Task.Delay(remaining < MaxSleep ? remaining : MaxSleep, time, slice.Token);
            var request = trigger.WaitAsync(slice.Token);
            Sleeping?.Invoke(due);
            await Task.WhenAny(sleep, request);
            await slice.CancelAsync();
            ct.ThrowIfCancellationRequested();
        }
    }

    private async Task RunOnceAsync(Wake wake, CancellationToken ct)
    {
        var started = time.GetTimestamp();
        try
        {
            var report = await runner.RunCycleAsync(wake.Canaries, ct);
            var elapsed = time.GetElapsedTime(started);
            var result = report.HasFailures ? CycleResult.Partial : CycleResult.Success;
            foreach (var canary in report.Canaries)
            {
                LogDecision(canary);
            }

            status.Finished(result, report, time.GetUtcNow());
            metrics.RecordDuration(elapsed);
            WorkerLog.Finished(logger, result, elapsed.TotalSeconds, report.BaseSha[..Math.Min(12, report.BaseSha.Length)], report.Canaries.Count,
                !wake.Triggered ? "schedule" : wake.Canaries is null ? "request (all canaries)" : $"request ({string.Join(", ", wake.Canaries.Order(StringComparer.Ordinal))})");
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            var elapsed = time.GetElapsedTime(started);
            metrics.RecordDuration(elapsed);
            WorkerLog.Abandoned(logger, elapsed.TotalSeconds);
            throw;
        }
        catch (Exception ex)
        {
            // Message only: stack traces and inner exceptions of HTTP/git libraries are noise here and may quote URLs.
            var elapsed = time.GetElapsedTime(started);
            status.Finished(CycleResult.Failure, null, time.GetUtcNow());
            metrics.RecordDuration(elapsed);
            WorkerLog.Failed(logger, elapsed.TotalSeconds, ex.Message);
        }
    }

    private void LogDecision(CanaryObservation canary)
    {
        var weights = canary.Weights.Count == 0 ? "unknown weights" : PullRequestMarker.FormatWeights(canary.Weights);
        var next = canary.Next is null ? "" : PullRequestMarker.FormatWeights(canary.Next);
        WorkerLog.Decision(logger, canary.Canary, canary.Decision, weights, next.Length == 0 ? "" : " → ", next, canary.Cause);
    }
}
