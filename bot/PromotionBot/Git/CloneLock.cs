namespace PromotionBot.Git;

/// <summary>
/// Cross-process exclusion for one clone: a second bot process (an overlapping `run --once`, a second replica)
/// pointed at the same cache folder waits instead of fetching/checking out under the first one's feet.
/// </summary>
internal static class CloneLock
{
    public static async Task<IDisposable> AcquireAsync(string cloneDirectory, TimeSpan timeout, TimeProvider time, CancellationToken ct)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(cloneDirectory)!);
        var path = cloneDirectory + ".lock";
        var deadline = time.GetUtcNow() + timeout;
        while (true)
        {
            try
            {
                // FileShare.None takes an OS lock (flock on Unix) that dies with the process: no stale lock after a crash.
                return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, bufferSize: 1);
            }
            catch (IOException) when (time.GetUtcNow() < deadline)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(100), time, ct);
            }
            catch (IOException e)
            {
                throw new GitWorkspaceException(
                    $"{path} has been locked by another process for over {timeout.TotalSeconds:0} s; is a second bot using this Git:CacheDirectory?", e);
            }
        }
    }
}
