using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using PromotionBot.Configuration;
using PromotionBot.GitHub;
using PromotionBot.PullRequests;

namespace PromotionBot.Worker;

/// <summary>What the worker's cycles run with besides the validated settings.</summary>
/// <param name="EvaluateAt">Fixed metrics evaluation time (replays and demos on recorded data); null = now.</param>
/// <param name="DryRun">Preview every cycle (printed to <paramref name="DryRunOutput"/>); change nothing.</param>
public sealed record CycleRunnerOptions(DateTimeOffset? EvaluateAt, bool DryRun, TextWriter DryRunOutput)
{
    /// <summary>GitHub retry pacing; tests shorten it.</summary>
    public RetryOptions GitHubRetry { get; init; } = RetryOptions.Default;
}

/// <summary>
/// <see cref="ICycleRunner"/> over the <see cref="PromotionCycle"/> of the composition root
/// (<see cref="Hosting.PromotionBotServiceCollectionExtensions.AddPromotionBot"/>), the same one <c>run --once</c> runs:
/// the GitHub connection, Prometheus client and git workspace live across cycles. It judges every canary: a full cycle
/// covers any canaries a trigger names.
/// </summary>
public sealed class PromotionCycleRunner(IServiceProvider services, CycleRunnerOptions options, IOptions<BotOptions> bot) : ICycleRunner
{
    public async Task<CycleReport> RunCycleAsync(IReadOnlySet<string>? canaries, CancellationToken ct)
    {
        try
        {
            var cycle = services.GetRequiredService<PromotionCycle>();
            return await cycle.RunAsync(new CycleRequest(options.EvaluateAt, options.DryRun ? options.DryRunOutput : null), ct);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            var secrets = bot.Value.Secrets.Append(services.GetService<GitHubConnection>() is { } c && bot.Value.GitHub.UsesApp ? c.CurrentToken : null);
            throw new CycleFailedException(Redact.Secrets(ex.Message, secrets), ex);
        }
    }
}

/// <summary>A whole cycle failed (clone/fetch, listing pull requests, Prometheus entirely down); the message holds no secret.</summary>
public sealed class CycleFailedException(string message, Exception inner) : Exception(message, inner);
