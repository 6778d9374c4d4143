using LibGit2Sharp;
using Microsoft.Extensions.Logging;
using Polly;
using Polly.Retry;

namespace PromotionBot.Git;

/// <summary>Outcome of one attempt: done with a value, or worth another attempt after re-fetching (e.g. push rejected).</summary>
internal readonly record struct Attempt<T>(bool Done, T? Value, string? Problem) : IAttempt
{
    public static Attempt<T> Success(T value) => new(true, value, null);

    public static Attempt<T> Again(string problem) => new(false, default, problem);
}

/// <summary>Lets the retry pipeline tell an unfinished attempt from a finished one without knowing its value type.</summary>
internal interface IAttempt
{
    bool Done { get; }

    string? Problem { get; }
}

/// <summary>
/// Bounded retries with exponential backoff and jitter around synchronous libgit2 work, as a Polly pipeline on the
/// injected clock. Network-ish failures and rejected pushes are retried; authentication and usage errors are not
/// (repeating them cannot help).
/// </summary>
internal sealed class GitRetry(RemoteAccess access, TimeProvider time, ILogger logger)
{
    private static readonly ResiliencePropertyKey<string> Operation = new("promotion-bot.git.operation");

    public int MaxAttempts { get; set; } = 3;

    public TimeSpan BaseDelay { get; set; } = TimeSpan.FromSeconds(2);

    public async Task<T> RunAsync<T>(string operation, Func<CancellationToken, Attempt<T>> attempt, CancellationToken ct)
    {
        var context = ResilienceContextPool.Shared.Get(ct);
        context.Properties.Set(Operation, operation);
        try
        {
            Attempt<T> result;
            try
            {
                // libgit2 is synchronous; keep it off the caller's thread.
                result = await Pipeline().ExecuteAsync(
                    static async (ctx, work) => await Task.Run(() => work(ctx.CancellationToken), ctx.CancellationToken),
                    context,
                    attempt);
            }
            catch (LibGit2SharpException e) when (ct.IsCancellationRequested)
            {
                throw new OperationCanceledException($"{operation} was cancelled.", Safe(e), ct);
            }
            catch (LibGit2SharpException e) when (IsTransient(e))
            {
                throw new GitWorkspaceException($"{operation} failed after {MaxAttempts} attempts: {access.Redact(e.Message)}");
            }
            catch (LibGit2SharpException e)
            {
                throw new GitWorkspaceException($"{operation} failed: {access.Redact(e.Message)}", Safe(e));
            }

            return result.Done
                ? result.Value!
                : throw new GitWorkspaceException($"{operation} failed after {MaxAttempts} attempts: {result.Problem ?? "unknown problem"}");
        }
        finally
        {
            ResilienceContextPool.Shared.Return(context);
        }
    }

    private ResiliencePipeline Pipeline() => MaxAttempts <= 1
        ? ResiliencePipeline.Empty
        : new ResiliencePipelineBuilder { TimeProvider = time }
            .AddRetry(new RetryStrategyOptions
            {
                MaxRetryAttempts = MaxAttempts - 1,
                ShouldHandle = args => ValueTask.FromResult(!args.Context.CancellationToken.IsCancellationRequested && args.Outcome switch
                {
                    { Exception: LibGit2SharpException e } => IsTransient(e),
                    { Exception: null, Result: IAttempt { Done: false } } => true,
                    _ => false,
                }),
                DelayGenerator = args => ValueTask.FromResult<TimeSpan?>(Backoff(args.AttemptNumber + 1)),
                OnRetry = args =>
                {
                    var problem = args.Outcome.Exception is { } e ? access.Redact(e.Message) : (args.Outcome.Result as IAttempt)?.Problem ?? "unknown problem";
                    logger.Retrying(args.Context.Properties.GetValue(Operation, "git"), args.AttemptNumber + 1, MaxAttempts, problem, (int)args.RetryDelay.TotalMilliseconds);
                    return default;
                },
            })
            .Build();

    private Exception? Safe(Exception e) => access.Leaks(e) ? null : e;

    // Jitter only spreads retries; it needs no cryptographic randomness.
#pragma warning disable CA5394
    private TimeSpan Backoff(int attempt)
    {
        // Full exponential growth with ±50 % jitter so several bots (or retries) do not hit the server in lockstep.
        var factor = Math.Pow(2, attempt - 1) * (0.5 + Random.Shared.NextDouble());
        return TimeSpan.FromMilliseconds(BaseDelay.TotalMilliseconds * factor);
    }
#pragma warning restore CA5394

    internal static bool IsTransient(LibGit2SharpException e)
    {
        if (e is NotFoundException or UserCancelledException or RepositoryNotFoundException or LockedFileException)
        {
            return false;
        }

        var m = e.Message;
        string[] permanent = ["authentication", "credentials", "401", "403", "404", "not found", "unsupported", "not a git repository"];
        return !permanent.Any(p => m.Contains(p, StringComparison.OrdinalIgnoreCase));
    }
}
