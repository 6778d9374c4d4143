using System.Diagnostics;
using Repository.Tests.Docs;
using Repository.Tests.Loading;

namespace Repository.Tests;

/// <summary>The documentation is tested where it can be: links resolve, shown commands are run, configuration keys are real.</summary>
public sealed class DocsTests
{
    private const string Bot = "bot/PromotionBot";

    [Fact]
    public void Links_between_documents_resolve()
    {
        Expect.None(DocLinks.Check(DocSet.Real));
    }

    [Fact]
    public void Every_documented_command_is_run_by_the_repository_or_accounted_for()
    {
        var root = RepoRoot.Path;
        Expect.None(DocCommands.Check(root, DocCommands.Extract(DocSet.Real), RepositoryCommands.Load(root), AllowList.Load(root)));
    }

    [Fact]
    public void Usage_synopses_name_commands_and_options_the_program_declares()
    {
        Expect.None(DocCommands.CheckSynopses(DocSet.Real));
    }

    [Fact]
    public void Readme_is_a_front_door_one_click_from_the_policy_reference_and_the_runbook()
    {
        var readme = File.ReadAllLines(RepoRoot.Full("README.md"));
        var links = DocSet.Real.Files["README.md"].Links.Select(l => l.Target).ToList();

        Assert.True(readme.Length <= 150, $"README.md has {readme.Length} lines; reference material belongs in docs/ or a folder README");
        Assert.Contains("docs/policy.md", links);
        Assert.Contains("docs/operations.md", links);
        Assert.Contains(DocCommands.Extract(DocSet.Real), c => c.File == "README.md" && c.Text == "make demo");
        Assert.Contains(DocCommands.Extract(DocSet.Real), c => c.File == "README.md" && c.Text == "make test");
    }

    [Fact]
    public async Task Documented_commands_marked_run_succeed_from_the_repository_root()
    {
        var root = RepoRoot.Path;
        var failures = new List<string>();
        var entries = AllowList.Load(root).Entries.Where(e => e.Verdict == Verdict.Run).ToList();
        foreach (var entry in entries)
        {
            var (exit, output) = await RunAsync(root, entry.Command);
            if (exit != 0)
            {
                failures.Add($"{DocCommands.AllowListPath}:{entry.Line}: `{entry.Command}` exited {exit}:\n{output}");
            }
        }

        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }

    [Fact]
    public void Configuration_keys_in_the_documents_are_the_ones_the_bot_reads()
    {
        Expect.None(ConfigKeys.Check(DocSet.Real, ConfigKeys.ReadBy(RepoRoot.Full(Bot)), Bot));
    }

    // The same checks over Fixtures/broken/docs-repo, a small repository broken on purpose.
    private static readonly string Fixture = Broken.FullPath("docs-repo");
    private const string Readme = "README.md";

    [Fact]
    public void Missing_files_and_anchors_are_reported_and_code_and_web_links_are_not()
    {
        var violations = DocLinks.Check(DocSet.Load(Fixture)).ToList();

        Expect.One(violations, Readme, "link docs/missing.md", "docs/missing.md does not exist", line: 6);
        Expect.One(violations, Readme, "link docs/guide.md#no-such-heading", "has no heading with anchor #no-such-heading", line: 7);
        Expect.One(violations, Readme, "link #nothing-here", "README.md has no heading with anchor #nothing-here", line: 8);
        Assert.Equal(3, violations.Count);
    }

    [Fact]
    public void Anchors_follow_github_slugs_including_duplicates()
    {
        var guide = MarkdownFile.Parse("guide.md", "# A `code` title: with punctuation!\n## Usage\n## Usage\n```\n## Not a heading\n```\n");

        Assert.Equal(["a-code-title-with-punctuation", "usage", "usage-1"], guide.Anchors.Order(StringComparer.Ordinal).ToArray());
        Assert.Equal("run---once-one-full-promotion-cycle", MarkdownFile.Slug("run --once: one full promotion cycle"));
    }

    [Fact]
    public void Commands_not_run_by_the_repository_need_a_checked_allow_list_entry()
    {
        var allow = AllowList.Load(Fixture, "doc-commands.txt");
        var violations = DocCommands.Check(Fixture, DocCommands.Extract(DocSet.Load(Fixture)), RepositoryCommands.Load(Fixture), allow).ToList();
        const string List = "doc-commands.txt";

        Expect.One(violations, Readme, "command make deploy", "the Makefile has no target 'deploy'", line: 19);
        Expect.One(violations, Readme, "command make deploy", "neither the Makefile nor CI runs this command", line: 19);
        Expect.One(violations, Readme, "command kubectl apply -k deploy/missing", "deploy/missing does not exist", line: 22);
        Expect.One(violations, Readme, "command dotnet run --project src/App -- serve --port 1 --colour", "declares no option '--colour'", line: 23);
        Expect.One(violations, Readme, "command dotnet run --project src/App -- serve --port 1 --colour", "neither the Makefile nor CI", line: 23);
        Expect.One(violations, Readme, "command dotnet run --project src/App -- explode", "declares no command 'explode'", line: 24);
        Expect.One(violations, List, "command kubectl apply -k deploy/missing", "no test method of that name", line: 4);
        Expect.One(violations, List, "command dotnet run --project src/App -- serve --port 1 --colour", "unknown verdict 'manual:'", line: 7);
        Expect.One(violations, List, "command make deploy", "unknown verdict 'sometimes'", line: 8);
        Expect.One(violations, List, "command dotnet test --filter Fast", "already runs this command", line: 9);
        Expect.One(violations, List, "command make clean", "no document shows this command", line: 10);
        Assert.Equal(11, violations.Count);
        Assert.Equal(["test -f README.md", "test -f no-such-file.txt"], allow.Entries.Where(e => e.Verdict == Verdict.Run).Select(e => e.Command).ToArray());
    }

    [Fact]
    public void A_synopsis_option_the_program_does_not_declare_is_reported()
    {
        var violations = DocCommands.CheckSynopses(DocSet.Load(Fixture)).ToList();

        Expect.One(violations, Readme, "synopsis dotnet run --project src/App -- serve [--port <n>] [--verbose]",
            "src/App declares no option '--verbose'", line: 32);
        Assert.Single(violations);
    }

    [Fact]
    public async Task A_run_entry_that_fails_is_reported_with_its_output()
    {
        var results = new List<(string Command, int Exit)>();
        foreach (var entry in AllowList.Load(Fixture, "doc-commands.txt").Entries.Where(e => e.Verdict == Verdict.Run))
        {
            results.Add((entry.Command, (await RunAsync(Fixture, entry.Command)).Exit));
        }

        Assert.Equal([("test -f README.md", 0), ("test -f no-such-file.txt", 1)], results);
    }

    [Fact]
    public void Configuration_keys_are_found_in_literals_appsettings_and_bound_options()
    {
        var keys = ConfigKeys.ReadBy(Path.Combine(Fixture, "src/App"));

        Assert.Equal(["Alerting:WebhookToken", "Git:BaseBranch", "GitHub:Owner", "Worker:Retry:Attempts", "Worker:Schedule", "Worker:TimeZone"], keys.Order(StringComparer.Ordinal).ToArray());
    }

    [Fact]
    public void Documented_keys_the_program_does_not_read_and_read_keys_nobody_documents_are_reported()
    {
        var violations = ConfigKeys.Check(DocSet.Load(Fixture), ConfigKeys.ReadBy(Path.Combine(Fixture, "src/App")), "src/App").ToList();

        Expect.One(violations, Readme, "configuration key Worker:Timezone", "src/App does not read this key (it reads Worker:Retry:Attempts, Worker:Schedule, Worker:TimeZone)", line: 38);
        Expect.One(violations, "src/App", "configuration key Worker:TimeZone", "no document names it");
        Assert.Equal(2, violations.Count);
    }

    private static async Task<(int Exit, string Output)> RunAsync(string root, string command)
    {
        var start = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false, WorkingDirectory = root };
        start.ArgumentList.Add("-euo");
        start.ArgumentList.Add("pipefail");
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add(command);
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            return (-1, "timed out after 3 minutes");
        }

        var output = (await stdout) + (await stderr);
        return (process.ExitCode, output.Length > 2000 ? output[^2000..] : output);
    }
}
