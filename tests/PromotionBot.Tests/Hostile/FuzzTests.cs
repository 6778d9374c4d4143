using System.Text;
using PromotionBot.Analysis;
using PromotionBot.Metrics;
using PromotionBot.Tests.Scenarios;
using Scenarios;
using Xunit;
using static PromotionBot.Tests.Scenarios.ScenarioCatalog;

namespace PromotionBot.Tests.Hostile;

/// <summary>
/// Mutated copies of the shipped product-catalog policy and VirtualService (deleted and duplicated lines and spans,
/// values swapped for other YAML types, stray bytes), judged beside an untouched canary on a real Prometheus: no
/// mutation may throw, and none may change the other canary's verdict. Seeded, so a failure replays.
/// </summary>
[Collection(PrometheusScenarioCollection.Name)]
public sealed class FuzzTests(PrometheusScenarioFixture fixture)
{
    private const int Mutations = 150;

    [Theory]
    [InlineData("promotion-policy.yaml", 1201)]
    [InlineData("virtualservice.yaml", 1202)]
    public async Task Mutated_shipped_files_never_crash_and_never_touch_another_canary(string file, int seed)
    {
        var shipped = Path.Combine(RepoRoot(), "apps", "ecommerce", "components", "product-catalog-canary");
        using var repo = new CanaryRepo().Add("bystander", Healthy, 80, 20);
        var target = Path.Combine(repo.Root, "apps", "target");
        Directory.CreateDirectory(target);
        File.Copy(Path.Combine(shipped, "promotion-policy.yaml"), Path.Combine(target, "promotion-policy.yaml"));
        File.Copy(Path.Combine(shipped, "virtualservice.yaml"), Path.Combine(target, "virtualservice.yaml"));
        // The shipped DestinationRule is a patch without host (the base has it): give the copy its host back.
        File.WriteAllText(Path.Combine(target, "destination-rule.yaml"),
            File.ReadAllText(Path.Combine(shipped, "destination-rule.yaml")).Replace("spec:\n", "spec:\n  host: product-catalog\n", StringComparison.Ordinal));
        using var http = new HttpClient();
        var analyzer = new CanaryAnalyzer(new SignalReader(new PrometheusClient(http, new PromotionBot.Configuration.PrometheusOptions { Url = fixture.BaseUrl.ToString(), Retries = 0 })));

        var baseline = await analyzer.AnalyzeAsync(repo.Root, fixture.At, CancellationToken.None);
        var expected = Verdict(baseline.Canaries.Single(c => c.Name == "bystander"));
        Assert.Equal("Advance 50/50", expected);
        Assert.All(baseline.Canaries, c => Assert.Null(c.Error));

        var original = File.ReadAllBytes(Path.Combine(target, file));
        var random = new Random(seed);
        var outcomes = new Dictionary<string, int>();
        for (var i = 0; i < Mutations; i++)
        {
            var (name, bytes) = Mutate(original, random);
            await File.WriteAllBytesAsync(Path.Combine(target, file), bytes);

            AnalysisRun run;
            try
            {
                run = await analyzer.AnalyzeAsync(repo.Root, fixture.At, CancellationToken.None);
            }
            catch (Exception e)
            {
                throw new Xunit.Sdk.XunitException($"mutation {i} ({name}) threw {e.GetType().Name}: {e.Message}\n---\n{Encoding.UTF8.GetString(bytes)}");
            }

            var bystander = run.Canaries.Single(c => c.Name == "bystander");
            Assert.True(Verdict(bystander) == expected, $"mutation {i} ({name}) changed the bystander: {Verdict(bystander)}\n---\n{Encoding.UTF8.GetString(bytes)}");
            var mutated = Assert.Single(run.Canaries, c => c.Name != "bystander");
            Assert.True(mutated.Error is not null ^ mutated.Decision is not null, $"mutation {i} ({name}): neither an error nor a decision");
            var outcome = mutated.Error is not null ? "error" : mutated.Decision!.Kind.ToString();
            outcomes[outcome] = outcomes.GetValueOrDefault(outcome) + 1;
        }

        // The mutations must reach both sides: some still parse, most do not.
        Assert.True(outcomes.GetValueOrDefault("error") > 0 && outcomes.Keys.Count > 1, string.Join(", ", outcomes));
    }

    private static string Verdict(CanaryEvaluation c) =>
        c.Error ?? $"{c.Decision!.Kind} {string.Join('/', c.Decision.Next?.OrderBy(w => w.Key).Select(w => w.Value) ?? [])}";

    private static (string Name, byte[] Bytes) Mutate(byte[] original, Random random)
    {
        var lines = Encoding.UTF8.GetString(original).Split('\n').ToList();
        int Line() => random.Next(lines.Count);
        string[] swaps = ["[x]", "{a: b}", "\"7\"", "12345", "-1", "true", "~", "''", "1e400", "&a x", "*a", "!!binary AAAA", "|\n  block", "\"\\u0000\"", "\"`<b>@team</b>`-->\""];
        switch (random.Next(7))
        {
            case 0:
                var del = Line();
                lines.RemoveAt(del);
                return ($"delete line {del + 1}", Join(lines));
            case 1:
                var dup = Line();
                lines.Insert(dup, lines[dup]);
                return ($"duplicate line {dup + 1}", Join(lines));
            case 2:
                var text = string.Join('\n', lines);
                var start = random.Next(text.Length);
                var length = Math.Min(random.Next(1, 40), text.Length - start);
                return ($"delete {length} chars at {start}", Encoding.UTF8.GetBytes(text.Remove(start, length)));
            case 3:
            case 4:
                var candidates = Enumerable.Range(0, lines.Count).Where(i => lines[i].Contains(": ", StringComparison.Ordinal) && !lines[i].TrimStart().StartsWith('#')).ToList();
                var at = candidates[random.Next(candidates.Count)];
                var swap = swaps[random.Next(swaps.Length)];
                lines[at] = lines[at][..(lines[at].IndexOf(": ", StringComparison.Ordinal) + 2)] + swap;
                return ($"line {at + 1} value → {swap}", Join(lines));
            case 5:
                var indent = Line();
                lines[indent] = (random.Next(2) == 0 ? " " : "") + lines[indent].TrimStart(' ')[..Math.Min(lines[indent].TrimStart(' ').Length, 60)];
                return ($"re-indent line {indent + 1}", Join(lines));
            default:
                var bytes = Join(lines).ToList();
                var pos = random.Next(bytes.Count);
                byte[] junk = [0xE9, 0x00, 0xFF, (byte)'\t', (byte)':', (byte)'[', (byte)'{', (byte)'"', 0xC3];
                bytes.Insert(pos, junk[random.Next(junk.Length)]);
                return ($"byte inserted at {pos}", bytes.ToArray());
        }
    }

    private static byte[] Join(List<string> lines) => Encoding.UTF8.GetBytes(string.Join('\n', lines));

    private static string RepoRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "GitOpsPromotion.sln")))
        {
            dir = dir.Parent;
        }

        return dir!.FullName;
    }
}
