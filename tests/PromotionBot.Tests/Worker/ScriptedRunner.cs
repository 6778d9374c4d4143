using System.Threading.Channels;
using Microsoft.Extensions.Time.Testing;
using PromotionBot.PullRequests;
using PromotionBot.Worker;

namespace PromotionBot.Tests.Worker;

/// <summary>
/// Stands in for the cycle in schedule tests, where only timing matters (the real cycle runs in the host tests):
/// records when it was called and for which canaries, and fails or blocks on the calls it is told to.
/// </summary>
internal sealed class ScriptedRunner(FakeTimeProvider time) : ICycleRunner
{
    private readonly Channel<Call> calls = Channel.CreateUnbounded<Call>();

    public sealed record Call(int Number, DateTimeOffset At, IReadOnlySet<string>? Canaries);

    /// <summary>Call numbers (1-based) that throw.</summary>
    public HashSet<int> FailOn { get; } = [];

    /// <summary>Call numbers (1-based) that wait until cancelled.</summary>
    public HashSet<int> BlockOn { get; } = [];

    public TaskCompletionSource<bool> Cancelled { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private int count;

    public async Task<CycleReport> RunCycleAsync(IReadOnlySet<string>? canaries, CancellationToken ct)
    {
        var number = Interlocked.Increment(ref count);
        calls.Writer.TryWrite(new Call(number, time.GetUtcNow(), canaries));
        if (BlockOn.Contains(number))
        {
            try
            {
                await Task.Delay(Timeout.Infinite, ct);
            }
            catch (OperationCanceledException)
            {
                Cancelled.TrySetResult(true);
                throw;
            }
        }

        if (FailOn.Contains(number))
        {
            throw new InvalidOperationException($"cycle {number} failed on purpose");
        }

        return new CycleReport(new string('a', 40), false, [])
        {
            Canaries =
            [
                new CanaryObservation("shop/product-catalog", "advance", "v2 healthy", new Dictionary<string, int> { ["v1"] = 80, ["v2"] = 20 },
                    new Dictionary<string, int> { ["v1"] = 50, ["v2"] = 50 }, new Dictionary<string, double?> { ["v1"] = 0.001, ["v2"] = 0.002 }),
            ],
        };
    }

    public async Task<Call> NextCallAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        return await calls.Reader.ReadAsync(timeout.Token);
    }

    public bool TryGetCall(out Call? call) => calls.Reader.TryRead(out call);
}
