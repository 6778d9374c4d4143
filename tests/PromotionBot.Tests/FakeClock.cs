using Microsoft.Extensions.Time.Testing;

namespace PromotionBot.Tests;

/// <summary>Runs code that waits on a <see cref="FakeTimeProvider"/> (retry backoff, rate-limit resets) without real waiting.</summary>
internal static class FakeClock
{
    /// <summary>Moves the fake clock forward by <paramref name="step"/> whenever the work is not finished, until it is.</summary>
    public static async Task<T> DriveAsync<T>(this FakeTimeProvider clock, Func<Task<T>> work, TimeSpan step)
    {
        var task = work();
        while (!task.IsCompleted)
        {
            // A short real pause lets in-flight HTTP answers arrive between steps; the waits themselves are all fake.
            await Task.WhenAny(task, Task.Delay(1));
            if (!task.IsCompleted)
            {
                clock.Advance(step);
            }
        }

        return await task;
    }

    public static Task DriveAsync(this FakeTimeProvider clock, Func<Task> work, TimeSpan step) =>
        clock.DriveAsync(async () => { await work(); return true; }, step);
}
