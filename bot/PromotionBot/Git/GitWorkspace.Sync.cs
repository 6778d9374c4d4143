using LibGit2Sharp;
using Microsoft.Extensions.Logging;

namespace PromotionBot.Git;

/// <summary>
/// The bot's persistent clone of the GitOps repository and the only code that pushes to it.
/// One operation runs at a time (the clone is shared mutable state); libgit2 calls run on the thread pool.
/// </summary>
public sealed partial class GitWorkspace : IGitWorkspace, IDisposable
{
    private readonly GitOptions options;
    private readonly ILogger<GitWorkspace> logger;
    private readonly TimeProvider time;
    private readonly Func<CancellationToken, Task<string>>? tokenSource;
    private readonly SemaphoreSlim gate = new(1, 1);
    private RemoteAccess access;
    private GitRetry retry;
    private string? currentToken;

    // Base commit the caller last analysed (from SyncAsync); used to refuse overwriting a file that changed since.
    private string? syncedBaseSha;

    /// <param name="time">Clock for retry backoff and the clone lock's patience; the system clock when null.</param>
    /// <param name="tokenSource">Supplies the push token before each operation when it can change (a GitHub App's
    /// installation token expires after an hour); null when <see cref="GitOptions.Token"/> is fixed.</param>
    public GitWorkspace(GitOptions options, ILogger<GitWorkspace> logger, TimeProvider? time = null, Func<CancellationToken, Task<string>>? tokenSource = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(logger);
        if (string.IsNullOrWhiteSpace(options.BaseBranch) || !Reference.IsValidName("refs/heads/" + options.BaseBranch))
        {
            throw new ArgumentException($"Git:BaseBranch '{options.BaseBranch}' is not a valid branch name.", nameof(options));
        }

        if (string.IsNullOrWhiteSpace(options.CacheDirectory))
        {
            throw new ArgumentException("Git:CacheDirectory is empty.", nameof(options));
        }

        this.options = options;
        this.logger = logger;
        this.time = time ?? TimeProvider.System;
        this.tokenSource = tokenSource;
        access = new RemoteAccess(options);
        retry = new GitRetry(access, this.time, logger);
    }

    /// <summary>Attempts per operation (fetch/push failures and rejected pushes); tests lower the delay.</summary>
    internal int MaxAttempts { get => retry.MaxAttempts; set => retry.MaxAttempts = value; }

    internal TimeSpan RetryBaseDelay { get => retry.BaseDelay; set => retry.BaseDelay = value; }

    /// <summary>Test seam: runs after the pre-push fetch and before the push, to simulate a concurrent writer.</summary>
    internal Action<string>? BeforePush { get; set; }

    /// <summary>Folder of the clone (exists after the first successful SyncAsync/PublishAsync).</summary>
    public string CloneDirectory => CloneCache.DirectoryFor(options.CacheDirectory, access.Url);

    /// <summary>How long to wait for another process holding the clone before giving up.</summary>
    internal TimeSpan LockTimeout { get; set; } = TimeSpan.FromMinutes(5);

    public Task<RepoSnapshot> SyncAsync(CancellationToken ct) => ExclusiveAsync(
        async () =>
        {
            var snapshot = await retry.RunAsync($"Sync of {access.Url}", c => Attempt<RepoSnapshot>.Success(SyncOnce(c)), ct);
            syncedBaseSha = snapshot.BaseSha;
            return snapshot;
        },
        ct);

    public void Dispose() => gate.Dispose();

    /// <summary>One operation at a time: in this process (semaphore) and across processes sharing the cache (file lock).</summary>
    private async Task<T> ExclusiveAsync<T>(Func<Task<T>> operation, CancellationToken ct)
    {
        await gate.WaitAsync(ct);
        try
        {
            if (tokenSource is not null && await tokenSource(ct) is { } token && token != currentToken)
            {
                currentToken = token;
                access = new RemoteAccess(options with { Token = token });
                retry = new GitRetry(access, time, logger) { MaxAttempts = retry.MaxAttempts, BaseDelay = retry.BaseDelay };
            }

            using var fileLock = await CloneLock.AcquireAsync(CloneDirectory, LockTimeout, time, ct);
            return await operation();
        }
        finally
        {
            gate.Release();
        }
    }

    private RepoSnapshot SyncOnce(CancellationToken ct)
    {
        using var repo = OpenFetched(ct);
        var baseHead = BaseHead(repo);

        // Force + remove untracked: the analyzer must read exactly the base head, whatever an earlier run left behind.
        Commands.Checkout(repo, baseHead, new CheckoutOptions { CheckoutModifiers = CheckoutModifiers.Force });
        repo.RemoveUntrackedFiles();
        logger.CheckedOut(options.BaseBranch, baseHead.Sha);
        return new RepoSnapshot(Path.TrimEndingDirectorySeparator(repo.Info.WorkingDirectory), baseHead.Sha);
    }

    /// <summary>Opens the clone (cloning it once if needed) and fetches, pruning branches deleted on the remote.</summary>
    private Repository OpenFetched(CancellationToken ct)
    {
        var (dir, cloned) = CloneCache.Ensure(access, options.CacheDirectory, logger, ct);
        var repo = new Repository(dir);
        try
        {
            if (!cloned)
            {
                var remote = repo.Network.Remotes[CloneCache.RemoteName];
                var refspecs = remote.FetchRefSpecs.Select(r => r.Specification).ToList();
                Commands.Fetch(repo, CloneCache.RemoteName, refspecs, access.FetchOptions(ct), "promotion-bot: fetch");
            }

            ct.ThrowIfCancellationRequested();
            return repo;
        }
        catch
        {
            repo.Dispose();
            throw;
        }
    }

    private Commit BaseHead(Repository repo) =>
        RemoteBranchHead(repo, options.BaseBranch)
        ?? throw new GitWorkspaceException($"The base branch '{options.BaseBranch}' does not exist on {access.Url}.");

    private static Commit? RemoteBranchHead(Repository repo, string branch) =>
        repo.Refs[$"refs/remotes/{CloneCache.RemoteName}/{branch}"]?.ResolveToDirectReference()?.Target as Commit;
}
