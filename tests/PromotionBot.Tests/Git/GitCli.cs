using System.Diagnostics;

namespace PromotionBot.Tests.Git;

/// <summary>Runs the real git CLI for test setup and for checking what actually landed on a remote.</summary>
internal static class GitCli
{
    public static string Run(string workDir, params string[] args) => RunWithInput(workDir, null, args);

    public static string RunWithInput(string workDir, string? stdin, params string[] args)
    {
        var psi = new ProcessStartInfo("git")
        {
            WorkingDirectory = workDir,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }

        // Isolate from the machine's git configuration so tests behave the same everywhere.
        psi.Environment["GIT_CONFIG_NOSYSTEM"] = "1";
        psi.Environment["GIT_CONFIG_GLOBAL"] = "/dev/null";
        psi.Environment["GIT_AUTHOR_NAME"] = "Human Operator";
        psi.Environment["GIT_AUTHOR_EMAIL"] = "human@example.com";
        psi.Environment["GIT_COMMITTER_NAME"] = "Human Operator";
        psi.Environment["GIT_COMMITTER_EMAIL"] = "human@example.com";

        using var p = Process.Start(psi)!;
        var stderr = p.StandardError.ReadToEndAsync();
        if (stdin is not null)
        {
            p.StandardInput.Write(stdin);
        }

        p.StandardInput.Close();
        var stdout = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        if (p.ExitCode != 0)
        {
            throw new InvalidOperationException($"git {string.Join(' ', args)} failed ({p.ExitCode}): {stderr.Result}");
        }

        return stdout.TrimEnd('\n');
    }

    /// <summary>Sha of a branch in a (bare) repository, or null when absent.</summary>
    public static string? Head(string repoDir, string branch)
    {
        var refs = Run(repoDir, "for-each-ref", "--format=%(objectname)", "refs/heads/" + branch);
        return refs.Length == 0 ? null : refs;
    }
}
