using System.Diagnostics;

namespace Scenarios.Prometheus;

/// <summary>Finds the Debian-packaged Prometheus binaries and runs short-lived tools.</summary>
internal static class ToolRunner
{
    public static string Find(string name)
    {
        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "/usr/bin").Split(Path.PathSeparator))
        {
            var candidate = Path.Combine(dir, name);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new InvalidOperationException(
            $"'{name}' is not on PATH. Install the test prerequisites first: make test, or bash .ci/prereqs.sh " +
            "(as root; otherwise it prints the apt-get line).");
    }

    public static async Task RunAsync(string tool, IEnumerable<string> args, string workingDirectory, CancellationToken ct)
    {
        var psi = new ProcessStartInfo(Find(tool))
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }

        using var process = Process.Start(psi) ?? throw new InvalidOperationException($"could not start {tool}");
        var stdout = process.StandardOutput.ReadToEndAsync(ct);
        var stderr = process.StandardError.ReadToEndAsync(ct);
        await process.WaitForExitAsync(ct);
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException(
                $"{tool} {string.Join(' ', psi.ArgumentList)} exited with {process.ExitCode}:\n{Tail(await stderr)}\n{Tail(await stdout)}");
        }
    }

    internal static string Tail(string text, int max = 4000) => text.Length <= max ? text : "…" + text[^max..];
}
