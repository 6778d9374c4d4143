using Microsoft.Extensions.Logging;

namespace PromotionBot.Worker;

/// <summary>The worker's log lines. Structured fields, never a credential: causes and errors arrive already redacted.</summary>
internal static partial class WorkerLog
{
    [LoggerMessage(1, LogLevel.Information, "Worker started: schedule {Schedule}, {Leadership}")]
    public static partial void Started(ILogger logger, string schedule, string leadership);

    [LoggerMessage(2, LogLevel.Information, "Canary {Canary}: {Decision} at {Weights}{Arrow}{NextWeights} ({Cause})")]
    public static partial void Decision(ILogger logger, string canary, string decision, string weights, string arrow, string nextWeights, string cause);

    [LoggerMessage(3, LogLevel.Information, "Cycle {Result} in {DurationSeconds:0.###} s at {BaseSha}: {Canaries} canaries, trigger {Trigger}")]
    public static partial void Finished(ILogger logger, string result, double durationSeconds, string baseSha, int canaries, string trigger);

    [LoggerMessage(4, LogLevel.Error, "Cycle failed after {DurationSeconds:0.###} s: {Error}; the next cycle runs as scheduled")]
    public static partial void Failed(ILogger logger, double durationSeconds, string error);

    [LoggerMessage(5, LogLevel.Warning, "Cycle abandoned after {DurationSeconds:0.###} s: the host is stopping")]
    public static partial void Abandoned(ILogger logger, double durationSeconds);

    [LoggerMessage(6, LogLevel.Debug, "Standby: not the leader, skipping the cycle due at {Due:O}")]
    public static partial void Standby(ILogger logger, DateTimeOffset due);

    [LoggerMessage(7, LogLevel.Information, "Worker stopped")]
    public static partial void Stopped(ILogger logger);

    [LoggerMessage(8, LogLevel.Warning, "{Warning}")]
    public static partial void TimeScaled(ILogger logger, string warning);
}
