using System.Collections.Concurrent;
using System.Diagnostics;

namespace Repository.Tests.Loading;

/// <summary>Output of one `kubectl kustomize` run; <see cref="Error"/> holds the exit code and stderr when it failed.</summary>
public sealed record RenderResult(string EntryPoint, string Output, string? Error)
{
    public bool Succeeded => Error is null;
}

/// <summary>
/// Runs `kubectl kustomize DIR` once per directory per test run (results are cached), with a timeout and stderr
/// captured for the failure message. Runs are throttled so parallel test classes don't swamp a 2-core CI box.
/// </summary>
public static class KustomizeRenderer
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(90);
    private static readonly SemaphoreSlim Throttle = new(Math.Max(2, Environment.ProcessorCount));
    private static readonly ConcurrentDictionary<string, Lazy<Task<RenderResult>>> Cache = new(StringComparer.Ordinal);

    public static Task<RenderResult> RenderAsync(string fullDirectory, string root) =>
        Cache.GetOrAdd(Path.GetFullPath(fullDirectory), dir => new Lazy<Task<RenderResult>>(() => RunAsync(dir, root, enableHelm: false))).Value;

    /// <summary>`kubectl kustomize --enable-helm DIR`: Helm charts come from the layers' chart cache (helm on PATH).</summary>
    public static Task<RenderResult> RenderWithHelmAsync(string fullDirectory, string root) =>
        Cache.GetOrAdd("helm:" + Path.GetFullPath(fullDirectory), _ => new Lazy<Task<RenderResult>>(() => RunAsync(Path.GetFullPath(fullDirectory), root, enableHelm: true))).Value;

    private static async Task<RenderResult> RunAsync(string dir, string root, bool enableHelm)
    {
        var entryPoint = RepoRoot.Relative(dir, root);
        await Throttle.WaitAsync();
        try
        {
            var start = new ProcessStartInfo("kubectl")
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
                WorkingDirectory = root,
            };
            start.ArgumentList.Add("kustomize");
            if (enableHelm)
            {
                start.ArgumentList.Add("--enable-helm");
            }
            start.ArgumentList.Add(dir);
            using var process = new Process { StartInfo = start };
            try
            {
                process.Start();
            }
            catch (System.ComponentModel.Win32Exception e)
            {
                return new RenderResult(entryPoint, "", $"cannot start kubectl (is it on PATH?): {e.Message}");
            }
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            using var timeout = new CancellationTokenSource(Timeout);
            try
            {
                await process.WaitForExitAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                return new RenderResult(entryPoint, "", $"kubectl kustomize timed out after {Timeout.TotalSeconds}s");
            }
            var output = await stdout;
            var error = (await stderr).Trim();
            return process.ExitCode == 0
                ? new RenderResult(entryPoint, output, null)
                : new RenderResult(entryPoint, output, $"kubectl kustomize exited {process.ExitCode}: {error}");
        }
        finally
        {
            Throttle.Release();
        }
    }
}
