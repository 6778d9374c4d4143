using System.Diagnostics;
using System.Text;
using System.Text.Json;
using PromotionBot.Tests.Scenarios;
using Scenarios;
using Xunit;
using static PromotionBot.Tests.Scenarios.ScenarioCatalog;

namespace PromotionBot.Tests.Hostile;

/// <summary>
/// Broken or hostile repository content, one case per row, through the real <c>analyze</c> command against a real
/// Prometheus. Every case runs with two innocent canaries beside the hostile one — "rollback" (v2 failing) and
/// "healthy" (v2 fine) — and asserts the hostile canary's exact error (file and line), that the others are still judged
/// as without it, and the exit code.
/// </summary>
[Collection(PrometheusScenarioCollection.Name)]
public sealed class HostileRepositoryTests(PrometheusScenarioFixture fixture)
{
    private const string PolicyFile = "apps/hostile/promotion-policy.yaml";
    private const string VsFile = "apps/hostile/virtualservice.yaml";

    /// <param name="Canary">Name of the hostile canary in the output: the policy path when the policy itself is refused.</param>
    /// <param name="Error">The whole error text expected for it; null when the case must not produce an error.</param>
    /// <param name="MustNotLeak">Text from outside the repository that must appear nowhere in the output.</param>
    public sealed record HostileCase(string Name, Action<string> Arrange, string Canary, string? Error, int Exit, string? MustNotLeak = null);

    private static readonly HostileCase[] All =
    [
        new("quote in service breaks no shared query", d => Edit(d, "promotion-policy.yaml", "service: product-catalog", "service: product-catalog\"}"),
            PolicyFile, $"{PolicyFile}:8:14: spec.target.service: 'product-catalog\"}}' is not a DNS-1123 label: at most 63 lowercase letters, digits and '-', starting and ending with a letter or digit", 1),
        new("regex in namespace", d => Edit(d, "promotion-policy.yaml", "namespace: healthy", "namespace: .*"),
            PolicyFile, $"{PolicyFile}:7:16: spec.target.namespace: '.*' is not a DNS-1123 label: at most 63 lowercase letters, digits and '-', starting and ending with a letter or digit", 1),
        new("subset with a space", d => Edit(d, "promotion-policy.yaml", "canary: v2", "canary: v 2"),
            PolicyFile, $"{PolicyFile}:14:13: spec.subsets.canary: 'v 2' is not a DNS-1123 label: at most 63 lowercase letters, digits and '-', starting and ending with a letter or digit", 1),
        new("markup in the canary name", d => Edit(d, "promotion-policy.yaml", "name: hostile", "name: \"`<b>@team`-->\""),
            PolicyFile, $"{PolicyFile}:4:9: metadata.name: '`<b>@team`-->' is not a DNS-1123 label: at most 63 lowercase letters, digits and '-', starting and ending with a letter or digit", 1),
        new("typo in an analysis key", d => Edit(d, "promotion-policy.yaml", "maxErrorRate:", "maxErrorRatio:"),
            PolicyFile, $"{PolicyFile}:21:5: unknown field 'maxErrorRatio' in spec.analysis (did you mean 'maxErrorRate'?)", 1),
        new("typo in a section name", d => Edit(d, "promotion-policy.yaml", "  analysis:", "  analysys:"),
            PolicyFile, $"{PolicyFile}:16:3: unknown field 'analysys' in spec (did you mean 'analysis'?)", 1),
        new("YAML syntax error", d => Edit(d, "promotion-policy.yaml", "    interval: 1m", "    interval: [1m"),
            PolicyFile, null, 1),
        new("policy is a symlink to /etc/passwd", d => Link(d, "promotion-policy.yaml", "/etc/passwd"),
            PolicyFile, $"{PolicyFile}: is a symbolic link that leaves the repository; the bot reads files inside the repository only", 1, "root:"),
        new("virtualservice is a symlink to /proc/self/environ", d => Link(d, "virtualservice.yaml", "/proc/self/environ"),
            "hostile", $"{VsFile}: is a symbolic link that leaves the repository; the bot reads files inside the repository only", 1, "PATH="),
        new("virtualservice is a symlink to /dev/zero", d => Link(d, "virtualservice.yaml", "/dev/zero"),
            "hostile", $"{VsFile}: is a symbolic link that leaves the repository; the bot reads files inside the repository only", 1),
        new("virtualservice is a symlink to stdin", d => Link(d, "virtualservice.yaml", "/proc/self/fd/0"),
            "hostile", $"{VsFile}: is a symbolic link that leaves the repository; the bot reads files inside the repository only", 1),
        new("virtualservice is a relative symlink out of the repository", d => Link(d, "virtualservice.yaml", "../../../../../../../../etc/hostname"),
            "hostile", $"{VsFile}: is a symbolic link that leaves the repository; the bot reads files inside the repository only", 1),
        new("virtualservice is a FIFO", d => Fifo(Path.Combine(d, "virtualservice.yaml")),
            "hostile", $"{VsFile}: is a FIFO (named pipe), not a regular file; the bot reads regular files only", 1),
        new("virtualservice of 44 MB", d => Big(Path.Combine(d, "virtualservice.yaml"), 44_000_000),
            "hostile", $"{VsFile}: is 44,000,000 bytes, over the 1 MiB limit for repository files; not read", 1),
        new("policy of 53 MB", d => Big(Path.Combine(d, "promotion-policy.yaml"), 53_000_000),
            PolicyFile, $"{PolicyFile}: is 53,000,000 bytes, over the 1 MiB limit for repository files; not read", 1),
        new("non-UTF-8 byte in the virtualservice", d => Latin1(Path.Combine(d, "virtualservice.yaml")),
            "hostile", $"{VsFile}:1:6: not valid UTF-8 (0xE9 at byte 5); the bot reads and edits UTF-8 files only and will not rewrite this one", 1),
        new("alias bomb in an annotation", d => Edit(d, "promotion-policy.yaml", "metadata:\n", "metadata:\n" + AliasBomb),
            PolicyFile, null, 1),
        new("symlink inside the repository is followed", d => Link(d, "virtualservice.yaml", "../healthy/virtualservice.yaml"),
            "hostile", null, 0),
        new("directory symlink loop under apps", d => Directory.CreateSymbolicLink(Path.Combine(d, "loop"), ".."),
            "hostile", null, 0),
        new("directory symlink out of the repository", d => Directory.CreateSymbolicLink(Path.Combine(d, "etc"), "/etc"),
            "hostile", null, 0),
    ];

    /// <summary>Nine levels of ten aliases each: a billion nodes if anything expanded it.</summary>
    private const string AliasBomb = """
          annotations:
            a: &a "lol"
            b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]
            c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]
            d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]
            e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]
            f: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e, *e]
            g: &g [*f, *f, *f, *f, *f, *f, *f, *f, *f, *f]
            h: &h [*g, *g, *g, *g, *g, *g, *g, *g, *g, *g]
            i: &i [*h, *h, *h, *h, *h, *h, *h, *h, *h, *h]

        """;

    public static TheoryData<string> Names => new(All.Select(c => c.Name));

    [Theory]
    [MemberData(nameof(Names))]
    public async Task Hostile_input_affects_only_its_own_canary(string name)
    {
        var c = All.Single(x => x.Name == name);
        using var repo = new CanaryRepo()
            .Add("rollback", CanaryErrors, 80, 20)
            .Add("healthy", Healthy, 80, 20)
            .Add("hostile", Healthy, 80, 20);
        c.Arrange(Path.Combine(repo.Root, "apps", "hostile"));

        // A hang (FIFO, /proc/self/fd/0) fails the case instead of the whole test run.
        var run = await AnalyzeRun.InvokeAsync(repo.Root, fixture.BaseUrl, fixture.At).WaitAsync(TimeSpan.FromMinutes(2));

        Assert.True(run.ExitCode == c.Exit, $"exit {run.ExitCode}\n{run.Stderr}\n{run.Json}");
        Assert.True(run.Canary("rollback").Decision() == "rollback", run.Canary("rollback").Explain());
        Assert.True(run.Canary("healthy").Decision() == "advance", run.Canary("healthy").Explain());
        var hostile = run.Canary(c.Canary);
        var error = hostile.GetProperty("error").GetString();
        if (c.Exit == 0)
        {
            Assert.Null(error);
            Assert.Equal("advance", hostile.Decision());
        }
        else if (c.Error is not null)
        {
            Assert.Equal(c.Error, error);
            Assert.Contains($"error: {c.Error}", run.Stderr, StringComparison.Ordinal);
        }
        else
        {
            // Syntax errors and node bombs: the message is YamlDotNet's or ours, the position must be file:line:column.
            Assert.Matches($"^{PolicyFile}:[1-9][0-9]*:[1-9][0-9]*: ", error);
        }

        if (c.MustNotLeak is { } secret)
        {
            Assert.DoesNotContain(secret, run.Json + run.Stderr, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Syntax_errors_and_alias_bombs_name_the_line_and_column()
    {
        using var repo = new CanaryRepo().Add("hostile", Healthy, 80, 20).Add("bomb", Healthy, 80, 20);
        Edit(Path.Combine(repo.Root, "apps", "hostile"), "promotion-policy.yaml", "    interval: 1m", "    interval: [1m");
        Edit(Path.Combine(repo.Root, "apps", "bomb"), "promotion-policy.yaml", "metadata:\n", "metadata:\n" + AliasBomb);

        var run = await AnalyzeRun.InvokeAsync(repo.Root, fixture.BaseUrl, fixture.At);

        Assert.Equal(1, run.ExitCode);
        Assert.StartsWith($"{PolicyFile}:18:", run.Canary(PolicyFile).GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.Equal("apps/bomb/promotion-policy.yaml:5:8: more than 10,000 YAML nodes: not a promotion policy",
            run.Canary("apps/bomb/promotion-policy.yaml").GetProperty("error").GetString());
    }

    internal static void Edit(string dir, string file, string find, string replace)
    {
        var path = Path.Combine(dir, file);
        var text = File.ReadAllText(path);
        Assert.Contains(find, text, StringComparison.Ordinal);
        File.WriteAllText(path, text.Replace(find, replace, StringComparison.Ordinal));
    }

    internal static void Link(string dir, string file, string target)
    {
        File.Delete(Path.Combine(dir, file));
        File.CreateSymbolicLink(Path.Combine(dir, file), target);
    }

    internal static void Fifo(string path)
    {
        File.Delete(path);
        using var mkfifo = Process.Start("mkfifo", [path]);
        mkfifo.WaitForExit();
        Assert.Equal(0, mkfifo.ExitCode);
    }

    internal static void Big(string path, long bytes)
    {
        using var stream = File.Create(path);
        stream.SetLength(bytes); // sparse: costs no disk, and the bot must refuse it before reading a byte
    }

    /// <summary>A VirtualService saved as Latin-1: "# Café" as its first line.</summary>
    internal static void Latin1(string path)
    {
        var text = File.ReadAllText(path);
        File.WriteAllBytes(path, [.. Encoding.Latin1.GetBytes("# Caf\u00e9\n"), .. Encoding.UTF8.GetBytes(text)]);
    }
}
