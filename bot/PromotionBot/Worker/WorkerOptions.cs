using Cronos;
using Microsoft.Extensions.Configuration;

namespace PromotionBot.Worker;

/// <summary>Worker:* keys: when cycles run.</summary>
public sealed class WorkerOptions
{
    public const string Section = "Worker";

    /// <summary>Cron expression with a seconds field (6 fields): second minute hour day-of-month month day-of-week.</summary>
    public string Schedule { get; set; } = "*/30 * * * * *";

    /// <summary>IANA (or Windows) time zone id the schedule is read in.</summary>
    public string TimeZone { get; set; } = "UTC";

    public static WorkerOptions Read(IConfiguration configuration)
    {
        var options = new WorkerOptions();
        configuration.GetSection(Section).Bind(options);
        return options;
    }

    /// <summary>Parses both keys; every problem becomes one line naming the key (never a secret: these keys hold none).</summary>
    public CycleSchedule? TryBuild(List<string> problems)
    {
        CronExpression? cron = null;
        try
        {
            cron = CronExpression.Parse(Schedule.Trim(), CronFormat.IncludeSeconds);
        }
        catch (CronFormatException ex)
        {
            problems.Add($"Worker:Schedule is not a 6-field cron expression with seconds (e.g. '*/30 * * * * *'): '{Schedule}' ({ex.Message.TrimEnd('.')}).");
        }

        TimeZoneInfo? zone = null;
        try
        {
            zone = TimeZoneInfo.FindSystemTimeZoneById(TimeZone.Trim());
        }
        catch (Exception ex) when (ex is TimeZoneNotFoundException or InvalidTimeZoneException)
        {
            problems.Add($"Worker:TimeZone is not a known time zone id (e.g. UTC, Europe/Berlin): '{TimeZone}'.");
        }

        if (cron is not null && zone is not null && cron.GetNextOccurrence(DateTimeOffset.UtcNow, zone) is null)
        {
            problems.Add($"Worker:Schedule never fires: '{Schedule}'.");
            return null;
        }

        return cron is null || zone is null ? null : new CycleSchedule(cron, zone, Schedule.Trim());
    }
}

/// <summary>A validated schedule: the next due time after an instant, and the current spacing between runs.</summary>
public sealed class CycleSchedule(CronExpression cron, TimeZoneInfo zone, string text)
{
    public TimeZoneInfo Zone => zone;

    public override string ToString() => $"{text} ({zone.Id})";

    /// <summary>The first occurrence strictly after <paramref name="after"/>.</summary>
    public DateTimeOffset Next(DateTimeOffset after) =>
        cron.GetNextOccurrence(after, zone) ?? DateTimeOffset.MaxValue;

    /// <summary>Spacing of the two occurrences following <paramref name="at"/>: what "a schedule period" means now.</summary>
    public TimeSpan PeriodAt(DateTimeOffset at)
    {
        var first = Next(at);
        var second = first == DateTimeOffset.MaxValue ? first : Next(first);
        return second == DateTimeOffset.MaxValue ? TimeSpan.MaxValue : second - first;
    }
}
