using System.Text.RegularExpressions;
using Repository.Tests.Loading;
using Repository.Tests.Model;

namespace Repository.Tests.Docs;

/// <summary>A command shown in a bash/sh/shell/console block of a document (continuations joined, comments and "$ " dropped).</summary>
public sealed record DocCommand(string File, int Line, string Text);

/// <summary>
/// Every command the documents show is either run by the repository (exactly a Makefile/.ci/CI command, or `make
/// TARGET` of an existing target) or listed in the allow-list with a verdict: <c>run</c> (a test runs it),
/// <c>tested-by Class.Method</c> (that test exists), or <c>manual: why</c> (needs a cluster, Docker, credentials…).
/// Every command also passes static checks: repository paths exist, make targets exist, and `dotnet run --project P
/// -- sub --opt` names a subcommand and options that P's source declares.
/// </summary>
public static partial class DocCommands
{
    public const string AllowListPath = "tests/Repository.Tests/Docs/doc-commands.txt";

    private static readonly HashSet<string> ShellLanguages = new(StringComparer.Ordinal) { "bash", "sh", "shell", "console" };

    public static IReadOnlyList<DocCommand> Extract(DocSet docs) =>
        docs.Files.Values
            .OrderBy(f => f.RelativePath, StringComparer.Ordinal)
            .SelectMany(f => f.Blocks
                .Where(b => ShellLanguages.Contains(b.Language))
                .SelectMany(b => ShellText.LogicalLines(b.Lines))
                .Select(l => new DocCommand(f.RelativePath, l.Line, ShellText.Normalize(Prompt().Replace(l.Text, "")))))
            .Where(c => c.Text.Length > 0)
            .ToList();

    public static IEnumerable<Violation> Check(string root, IReadOnlyList<DocCommand> commands, RepositoryCommands repository, AllowList allow)
    {
        foreach (var command in commands)
        {
            foreach (var problem in StaticProblems(root, command.Text, repository))
            {
                yield return Violation(command, problem);
            }

            if (!repository.Runs(command.Text) && !allow.Entries.Any(e => e.Command == command.Text))
            {
                yield return Violation(command,
                    $"neither the Makefile nor CI runs this command verbatim: make a test run it, or add it to {allow.File} with a verdict (run | tested-by Class.Method | manual: why)");
            }
        }

        foreach (var problem in allow.Problems)
        {
            yield return problem;
        }

        foreach (var entry in allow.Entries)
        {
            var where = new Origin(allow.File, entry.Line);
            if (!commands.Any(c => c.Text == entry.Command))
            {
                yield return new Violation(where, $"command {entry.Command}", "no document shows this command any more: remove the entry");
            }

            if (repository.Runs(entry.Command))
            {
                yield return new Violation(where, $"command {entry.Command}", "the Makefile or CI already runs this command: remove the entry");
            }

            if (entry.Verdict == Verdict.TestedBy && !TestExists(root, entry.Argument))
            {
                yield return new Violation(where, $"command {entry.Command}", $"tested-by names {entry.Argument}, but no test method of that name exists under tests/");
            }
        }
    }

    /// <summary>
    /// Usage synopses (<c>dotnet run --project P -- cmd [--opt &lt;value&gt;]</c> lines in any block) are not run, but their
    /// command and options must exist in P's source like those of runnable commands.
    /// </summary>
    public static IEnumerable<Violation> CheckSynopses(DocSet docs)
    {
        foreach (var file in docs.Files.Values.OrderBy(f => f.RelativePath, StringComparer.Ordinal))
        {
            foreach (var block in file.Blocks.Where(b => !ShellLanguages.Contains(b.Language)))
            {
                foreach (var (line, text) in block.Lines)
                {
                    var synopsis = ShellText.Normalize(Prompt().Replace(text, ""));
                    var words = ShellText.Words(synopsis);
                    var project = words.SkipWhile(w => w != "--project").Skip(1).FirstOrDefault();
                    var separator = synopsis.IndexOf(" -- ", StringComparison.Ordinal);
                    if (words is not ["dotnet", "run", ..] || project is null || separator < 0 || !Directory.Exists(Path.Combine(docs.Root, project)))
                    {
                        continue;
                    }

                    var literals = SourceLiterals(Path.Combine(docs.Root, project));
                    var programArgs = synopsis[(separator + 4)..];
                    var command = ShellText.Words(programArgs) is [var first, ..] ? first : null;
                    if (command is not null && !command.StartsWith('-') && !IsPlaceholder(command) && !literals.Contains(command))
                    {
                        yield return new Violation(new Origin(file.RelativePath, line), $"synopsis {synopsis}", $"{project} declares no command '{command}'");
                    }

                    foreach (Match option in SynopsisOption().Matches(programArgs))
                    {
                        if (!literals.Contains(option.Value))
                        {
                            yield return new Violation(new Origin(file.RelativePath, line), $"synopsis {synopsis}", $"{project} declares no option '{option.Value}'");
                        }
                    }
                }
            }
        }
    }

    private static Violation Violation(DocCommand command, string problem) =>
        new(new Origin(command.File, command.Line), $"command {command.Text}", problem);

    /// <summary>What can be checked without running anything.</summary>
    public static IEnumerable<string> StaticProblems(string root, string command, RepositoryCommands repository)
    {
        var words = ShellText.Words(command);
        foreach (var word in words)
        {
            foreach (var candidate in word.Split('=').Where(LooksLikeRepositoryPath))
            {
                var top = candidate.Split('/')[0];
                if ((Directory.Exists(Path.Combine(root, top)) || File.Exists(Path.Combine(root, top)))
                    && !File.Exists(Path.Combine(root, candidate)) && !Directory.Exists(Path.Combine(root, candidate)))
                {
                    yield return $"{candidate} does not exist in the repository";
                }
            }
        }

        if (words is ["make", var target, ..] && !repository.MakeTargets.Contains(target))
        {
            yield return $"the Makefile has no target '{target}'";
        }

        var project = words.SkipWhile(w => w != "--project").Skip(1).FirstOrDefault();
        if (words is ["dotnet", "run", ..] && project is not null && Directory.Exists(Path.Combine(root, project)))
        {
            var literals = SourceLiterals(Path.Combine(root, project));
            var programArgs = words.SkipWhile(w => w != "--").Skip(1).ToList();
            if (programArgs.Count > 0 && !programArgs[0].StartsWith('-') && !IsPlaceholder(programArgs[0]) && !literals.Contains(programArgs[0]))
            {
                yield return $"{project} declares no command '{programArgs[0]}'";
            }

            foreach (var option in programArgs.Where(a => a.StartsWith("--", StringComparison.Ordinal) && !a.Contains(':', StringComparison.Ordinal)))
            {
                var name = option.Split('=')[0];
                if (!literals.Contains(name))
                {
                    yield return $"{project} declares no option '{name}'";
                }
            }
        }
    }

    private static bool IsPlaceholder(string word) => word.Contains('<', StringComparison.Ordinal) || word.Contains('$', StringComparison.Ordinal);

    private static bool LooksLikeRepositoryPath(string word) =>
        word.Contains('/', StringComparison.Ordinal) && !IsPlaceholder(word) && !word.Contains("://", StringComparison.Ordinal)
        && !word.StartsWith('/') && !word.StartsWith('-') && !word.Contains('*', StringComparison.Ordinal)
        && !word.Contains('{', StringComparison.Ordinal) && !word.StartsWith('~');

    /// <summary>String literals of a project's C# sources: where System.CommandLine (or a hand parser) names commands and options.</summary>
    private static HashSet<string> SourceLiterals(string projectDir) =>
        Directory.EnumerateFiles(projectDir, "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                && !f.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .SelectMany(f => StringLiteral().Matches(File.ReadAllText(f)).Select(m => m.Groups["value"].Value))
            .ToHashSet(StringComparer.Ordinal);

    private static bool TestExists(string root, string classDotMethod)
    {
        var dot = classDotMethod.LastIndexOf('.');
        if (dot <= 0)
        {
            return false;
        }

        var (type, method) = (classDotMethod[..dot], classDotMethod[(dot + 1)..]);
        var tests = Path.Combine(root, "tests");
        return Directory.Exists(tests) && Directory.EnumerateFiles(tests, "*.cs", SearchOption.AllDirectories)
            .Select(File.ReadAllText)
            .Any(text => Regex.IsMatch(text, $@"\b(class|record)\s+{Regex.Escape(type)}\b")
                && Regex.IsMatch(text, $@"\[(Fact|Theory)[^\]]*\]\s*(\[[^\]]*\]\s*)*public\s+(async\s+)?[\w<>]+\s+{Regex.Escape(method)}\s*\("));
    }

    [GeneratedRegex(@"(?<![\w<-])--[a-z][a-z0-9-]*(?![\w:])")]
    private static partial Regex SynopsisOption();

    [GeneratedRegex(@"^\s*\$\s+")]
    private static partial Regex Prompt();

    [GeneratedRegex(@"""(?<value>[^""\\\r\n]*)""")]
    private static partial Regex StringLiteral();
}

public enum Verdict
{
    Run,
    TestedBy,
    Manual,
}

public sealed record AllowEntry(int Line, Verdict Verdict, string Argument, string Command);

/// <summary>
/// The allow-list of documented commands that the Makefile and CI do not run verbatim. One entry per line:
/// <c>VERDICT | COMMAND</c>, where VERDICT is <c>run</c>, <c>tested-by Class.Method</c> or <c>manual: reason</c>.
/// </summary>
public sealed class AllowList
{
    public string File { get; }
    public IReadOnlyList<AllowEntry> Entries { get; }
    public IReadOnlyList<Violation> Problems { get; }

    private AllowList(string file, IReadOnlyList<AllowEntry> entries, IReadOnlyList<Violation> problems)
    {
        File = file;
        Entries = entries;
        Problems = problems;
    }

    public static AllowList Load(string root, string relativePath = DocCommands.AllowListPath)
    {
        var full = Path.Combine(root, relativePath);
        return Parse(relativePath, System.IO.File.Exists(full) ? System.IO.File.ReadAllLines(full) : []);
    }

    public static AllowList Parse(string file, IReadOnlyList<string> lines)
    {
        var entries = new List<AllowEntry>();
        var problems = new List<Violation>();
        for (var i = 0; i < lines.Count; i++)
        {
            var line = lines[i].Trim();
            if (line.Length == 0 || line.StartsWith('#'))
            {
                continue;
            }

            var bar = line.IndexOf(" | ", StringComparison.Ordinal);
            var verdict = bar < 0 ? line : line[..bar].Trim();
            var command = bar < 0 ? "" : ShellText.Normalize(line[(bar + 3)..]);
            var where = new Origin(file, i + 1);
            if (command.Length == 0)
            {
                problems.Add(new Violation(where, "allow-list entry", "expected 'VERDICT | COMMAND'"));
            }
            else if (verdict == "run")
            {
                entries.Add(new AllowEntry(i + 1, Verdict.Run, "", command));
            }
            else if (verdict.StartsWith("tested-by ", StringComparison.Ordinal) && verdict[10..].Trim().Length > 0)
            {
                entries.Add(new AllowEntry(i + 1, Verdict.TestedBy, verdict[10..].Trim(), command));
            }
            else if (verdict.StartsWith("manual:", StringComparison.Ordinal) && verdict[7..].Trim().Length > 0)
            {
                entries.Add(new AllowEntry(i + 1, Verdict.Manual, verdict[7..].Trim(), command));
            }
            else
            {
                problems.Add(new Violation(where, $"command {command}",
                    $"unknown verdict '{verdict}': use run, tested-by Class.Method, or manual: <why it cannot run in a test>"));
            }
        }

        return new AllowList(file, entries, problems);
    }
}
