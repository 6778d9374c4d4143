using System.Text.RegularExpressions;

namespace Repository.Tests.Docs;

/// <summary>
/// The commands the repository itself runs: every command line of the Makefile, <c>.ci/</c>, the GitHub workflows and
/// the scripts they call, plus the Makefile's targets. A documented command that is exactly one of these is run by CI.
/// </summary>
public sealed partial class RepositoryCommands
{
    public IReadOnlySet<string> Lines { get; }
    public IReadOnlySet<string> MakeTargets { get; }

    private RepositoryCommands(IReadOnlySet<string> lines, IReadOnlySet<string> makeTargets)
    {
        Lines = lines;
        MakeTargets = makeTargets;
    }

    public bool Runs(string command) =>
        Lines.Contains(command)
        || (ShellText.Words(command) is ["make", var target] && MakeTargets.Contains(target));

    public static RepositoryCommands Load(string root)
    {
        var lines = new HashSet<string>(StringComparer.Ordinal);
        var targets = new HashSet<string>(StringComparer.Ordinal);
        var makefile = Path.Combine(root, "Makefile");
        if (File.Exists(makefile))
        {
            var text = File.ReadAllLines(makefile);
            foreach (Match m in MakeTarget().Matches(string.Join('\n', text)))
            {
                targets.Add(m.Groups["target"].Value);
            }

            // Recipe lines: make's own escapes undone ($$ is a shell $), echo-suppressing @ dropped.
            Add(lines, text.Select(l => l.TrimStart('\t', ' ').TrimStart('@', '-').Replace("$$", "$", StringComparison.Ordinal)));
        }

        foreach (var file in Sources(root))
        {
            // Workflows: the command after "run:" (or a line of a "run: |" block); scripts: every line.
            Add(lines, File.ReadAllLines(file).Select(l => WorkflowRun().Replace(l.Trim(), "")));
        }

        return new RepositoryCommands(lines, targets);
    }

    private static IEnumerable<string> Sources(string root)
    {
        foreach (var (dir, patterns) in new[] { (".ci", new[] { "*" }), (".github/workflows", new[] { "*.yml", "*.yaml" }), (".github/scripts", new[] { "*" }) })
        {
            var full = Path.Combine(root, dir);
            if (Directory.Exists(full))
            {
                foreach (var file in patterns.SelectMany(p => Directory.EnumerateFiles(full, p)).Order(StringComparer.Ordinal))
                {
                    yield return file;
                }
            }
        }
    }

    private static void Add(HashSet<string> lines, IEnumerable<string> raw)
    {
        foreach (var (_, text) in ShellText.LogicalLines(raw.Select((l, i) => (i + 1, l))))
        {
            var command = ShellText.Normalize(text);
            if (command.Length == 0)
            {
                continue;
            }

            lines.Add(command);
            // "a && b" and "a; b" run a and b: each counts on its own.
            foreach (var part in command.Split(["&&", "; "], StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
            {
                lines.Add(ShellText.Normalize(part));
            }
        }
    }

    [GeneratedRegex(@"^(?<target>[A-Za-z0-9_.-]+)\s*:(?!=)", RegexOptions.Multiline)]
    private static partial Regex MakeTarget();

    [GeneratedRegex(@"^(-\s+)?run:\s*\|?\s*")]
    private static partial Regex WorkflowRun();
}
