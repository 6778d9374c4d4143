using LibGit2Sharp;
using Microsoft.Extensions.Logging;

namespace PromotionBot.Git;

/// <summary>Outcome of one attempt: done with a value, or worth another attempt after re-fetching (e.g. push rejected).</summary>
internal readonly record struct Attempt<T>(bool Done, T? Value, string? Problem)
{
    public static Attempt<T> Success(T value) => new(true, value, null);

    public static Attempt<T> Again(string problem) => new(false, default, problem);
}

/// <summary>
/// Bounded retries with exponential backoff and jitter around synchronous libgit2 work. Network-ish failures and
/// rejected pushes are retried; authentication and usage errors are not (repeating them cannot help).
/// </summary>
internal sealed class GitRetry(RemoteAccess access, ILogger logger)
{
    public int MaxAttempts { get; set; } = 3;

    public TimeSpan BaseDelay { get; set; } = TimeSpan.FromSeconds(2);

    public async Task<T> RunAsync<T>(string operation, Func<CancellationToken, Attempt<T>> attempt, CancellationToken ct)
    {
        for (var n = 1; ; n++)
        {
            ct.ThrowIfCancellationRequested();
            string problem;
            try
            {
                // libgit2 is synchronous; keep it off the caller's thread.
                var result = await Task.Run(() => attempt(ct), ct);
                if (result.Done)
                {
                    return result.Value!;
                }

                problem = result.Problem ?? "unknown problem";
            }
            catch (LibGit2SharpException e) when (ct.IsCancellationRequested)
            {
                throw new OperationCanceledException($"{operation} was cancelled.", Safe(e), ct);
            }
            catch (LibGit2SharpException e) when (IsTransient(e))
            {
                problem = access.Redact(e.Message);
            }
            catch (LibGit2SharpException e)
            {
                throw new GitWorkspaceException($"{operation} failed: {access.Redact(e.Message)}", Safe(e));
            }

            if (n >= MaxAttempts)
            {
                throw new GitWorkspaceException($"{operation} failed after {n} attempts: {problem}");
            }

            var delay = Backoff(n);
            logger.LogWarning(
                "{Operation}: attempt {Attempt}/{Max} failed ({Problem}); retrying in {Delay} ms",
                operation, n, MaxAttempts, problem, (int)delay.TotalMilliseconds);
            await Task.Delay(delay, ct);
        }
    }

    private Exception? Safe(Exception e) => access.Leaks(e) ? null : e;

    private TimeSpan Backoff(int attempt)
    {
        // Full exponential growth with ±50 % jitter so several bots (or retries) do not hit the server in lockstep.
        var factor = Math.Pow(2, attempt - 1) * (0.5 + Random.Shared.NextDouble());
        return TimeSpan.FromMilliseconds(BaseDelay.TotalMilliseconds * factor);
    }

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
