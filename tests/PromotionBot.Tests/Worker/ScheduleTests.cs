using PromotionBot.Worker;
using Xunit;

namespace PromotionBot.Tests.Worker;

/// <summary>The worker loop on a fake clock: when cycles run, what a failure or a stop does, triggers and standby.</summary>
public sealed class ScheduleTests
{
    private static readonly DateTimeOffset Monday = new(2026, 3, 2, 12, 0, 7, TimeSpan.Zero);

    private static DateTimeOffset Utc(int month, int day, int hour, int minute, int second) => new(2026, month, day, hour, minute, second, TimeSpan.Zero);

    [Fact]
    public async Task Default_schedule_runs_every_30_seconds_on_the_half_minute()
    {
        await using var h = new WorkerHarness(Monday);
        await h.StartAsync();

        var runs = new List<DateTimeOffset>();
        for (var i = 0; i < 3; i++)
        {
            await h.SleepUntilDueAsync();
            runs.Add((await h.Runner.NextCallAsync()).At);
        }

        Assert.Equal([Utc(3, 2, 12, 0, 30), Utc(3, 2, 12, 1, 0), Utc(3, 2, 12, 1, 30)], runs);
    }

    [Fact]
    public async Task Seconds_field_is_honoured_and_nothing_runs_before_the_due_time()
    {
        await using var h = new WorkerHarness(Monday, schedule: "15,45 * * * * *");
        await h.StartAsync();

        var due = await h.NextSleepAsync();
        Assert.Equal(Utc(3, 2, 12, 0, 15), due);
        h.Time.Advance(due - h.Time.GetUtcNow() - TimeSpan.FromSeconds(1));
        Assert.False(h.Runner.TryGetCall(out _));

        h.Time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(Utc(3, 2, 12, 0, 15), (await h.Runner.NextCallAsync()).At);
        await h.SleepUntilDueAsync();
        Assert.Equal(Utc(3, 2, 12, 0, 45), (await h.Runner.NextCallAsync()).At);
        await h.SleepUntilDueAsync();
        Assert.Equal(Utc(3, 2, 12, 1, 15), (await h.Runner.NextCallAsync()).At);
    }

    [Fact]
    public async Task Schedule_is_read_in_the_configured_time_zone_across_a_daylight_saving_change()
    {
        // 09:00 in Berlin: 08:00 UTC in winter; on 29 March 2026 Berlin moves to UTC+2, so 07:00 UTC.
        await using var h = new WorkerHarness(Utc(3, 28, 7, 30, 0), schedule: "0 0 9 * * *", timeZone: "Europe/Berlin");
        await h.StartAsync();

        await h.SleepUntilDueAsync();
        Assert.Equal(Utc(3, 28, 8, 0, 0), (await h.Runner.NextCallAsync()).At);
        await h.SleepUntilDueAsync();
        Assert.Equal(Utc(3, 29, 7, 0, 0), (await h.Runner.NextCallAsync()).At);
    }

    [Fact]
    public async Task A_failing_cycle_is_counted_and_logged_and_the_next_one_runs()
    {
        await using var h = new WorkerHarness(Monday);
        h.Runner.FailOn.Add(1);
        await h.StartAsync();

        await h.SleepUntilDueAsync();
        await h.Runner.NextCallAsync();
        await h.SleepUntilDueAsync();
        var second = await h.Runner.NextCallAsync();
        await h.NextSleepAsync(); // the second cycle has been recorded once the loop sleeps again

        Assert.Equal(Utc(3, 2, 12, 1, 0), second.At);
        var status = h.Get<CycleStatus>().Current;
        Assert.Equal(1, status.Cycles[CycleResult.Failure]);
        Assert.Equal(1, status.Cycles[CycleResult.Success]);
        Assert.Contains(h.Logs.Lines, l => l.StartsWith("Error", StringComparison.Ordinal) && l.Contains("cycle 1 failed on purpose", StringComparison.Ordinal));
        Assert.False(h.Worker.ExecuteTask!.IsCompleted);
    }

    [Fact]
    public async Task Each_decision_is_one_structured_log_line()
    {
        await using var h = new WorkerHarness(Monday);
        await h.StartAsync();

        await h.SleepUntilDueAsync();
        await h.Runner.NextCallAsync();
        await h.NextSleepAsync();

        var line = Assert.Single(h.Logs.Lines, l => l.Contains("Canary shop/product-catalog", StringComparison.Ordinal));
        Assert.EndsWith("Canary shop/product-catalog: advance at v1:80,v2:20 → v1:50,v2:50 (v2 healthy)", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Stopping_during_a_cycle_cancels_it_and_ends_the_loop_without_counting_a_failure()
    {
        var h = new WorkerHarness(Monday);
        h.Runner.BlockOn.Add(1);
        await h.StartAsync();
        await h.SleepUntilDueAsync();
        await h.Runner.NextCallAsync();

        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await h.Worker.StopAsync(deadline.Token);

        Assert.True(h.Runner.Cancelled.Task.IsCompletedSuccessfully);
        Assert.True(h.Worker.ExecuteTask!.IsCompletedSuccessfully);
        Assert.Empty(h.Get<CycleStatus>().Current.Cycles);
        Assert.Contains(h.Logs.Lines, l => l.Contains("Cycle abandoned", StringComparison.Ordinal));
        await h.DisposeAsync();
    }

    [Fact]
    public async Task A_trigger_runs_a_cycle_at_once_for_the_named_canaries_and_the_schedule_goes_on()
    {
        await using var h = new WorkerHarness(Monday);
        await h.StartAsync();
        await h.NextSleepAsync();

        h.Get<CycleTrigger>().Request(["shop/product-catalog"]);
        var triggered = await h.Runner.NextCallAsync();

        Assert.Equal(Monday, triggered.At);
        Assert.Equal(["shop/product-catalog"], triggered.Canaries!);
        await h.SleepUntilDueAsync();
        var scheduled = await h.Runner.NextCallAsync();
        Assert.Equal(Utc(3, 2, 12, 0, 30), scheduled.At);
        Assert.Null(scheduled.Canaries);
    }

    [Fact]
    public async Task Requests_that_arrive_together_become_one_cycle_and_all_wins_over_names()
    {
        await using var h = new WorkerHarness(Monday);
        var trigger = h.Get<CycleTrigger>();
        trigger.Request(["a/one"]);
        trigger.Request(["b/two"]);
        trigger.Request();
        await h.StartAsync();

        var call = await h.Runner.NextCallAsync();
        Assert.Null(call.Canaries);
        Assert.Equal(Utc(3, 2, 12, 0, 30), await h.NextSleepAsync());
        Assert.False(h.Runner.TryGetCall(out _));
    }

    [Fact]
    public async Task A_standby_runs_no_cycle_and_stays_ready()
    {
        await using var h = new WorkerHarness(Monday, leadership: new Standby());
        await h.StartAsync();

        for (var i = 0; i < 4; i++)
        {
            await h.SleepUntilDueAsync();
        }

        await h.NextSleepAsync();
        Assert.False(h.Runner.TryGetCall(out _));
        Assert.True(h.Get<Readiness>().Check().Ready);
    }

    [Fact]
    public async Task Leader_is_ready_until_three_periods_pass_without_a_finished_cycle()
    {
        await using var h = new WorkerHarness(Monday);
        var readiness = h.Get<Readiness>();
        var status = h.Get<CycleStatus>();

        h.Time.Advance(TimeSpan.FromSeconds(90));
        Assert.True(readiness.Check().Ready);
        h.Time.Advance(TimeSpan.FromSeconds(1));
        var (ready, detail) = readiness.Check();
        Assert.False(ready);
        Assert.Contains("more than 3 schedule periods (90 s)", detail, StringComparison.Ordinal);

        status.Finished(CycleResult.Failure, null, h.Time.GetUtcNow());
        Assert.True(readiness.Check().Ready);
    }

    [Theory]
    [InlineData("*/30 * * * *", "Worker:Schedule is not a 6-field cron expression")]
    [InlineData("0 0 0 30 2 *", "Worker:Schedule never fires")]
    public void Bad_schedules_are_named(string schedule, string problem)
    {
        var problems = new List<string>();

        Assert.Null(new WorkerOptions { Schedule = schedule }.TryBuild(problems));

        Assert.StartsWith(problem, Assert.Single(problems), StringComparison.Ordinal);
    }

    [Fact]
    public void Unknown_time_zone_is_named()
    {
        var problems = new List<string>();

        Assert.Null(new WorkerOptions { TimeZone = "Mars/Olympus_Mons" }.TryBuild(problems));

        Assert.Equal("Worker:TimeZone is not a known time zone id (e.g. UTC, Europe/Berlin): 'Mars/Olympus_Mons'.", Assert.Single(problems));
    }

    private sealed class Standby : ILeadership
    {
        public bool IsLeader => false;
    }
}
