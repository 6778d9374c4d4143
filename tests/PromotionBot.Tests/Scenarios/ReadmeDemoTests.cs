using System.Globalization;
using PromotionBot.Cli;
using Xunit;

namespace PromotionBot.Tests.Scenarios;

/// <summary>
/// The README shows what <c>make demo</c> prints. This runs the same <c>analyze</c> (table format) over this repository on
/// the tutorial scenario and checks that every canary row of the README's excerpt is a prefix of the real row (the
/// README trims long reasons with "…").
/// </summary>
[Collection(PrometheusScenarioCollection.Name)]
public sealed class ReadmeDemoTests(PrometheusScenarioFixture fixture)
{
    [Fact]
    public async Task The_readme_demo_excerpt_is_what_analyze_prints()
    {
        var root = RepositoryRoot();
        using var stdout = new StringWriter(CultureInfo.InvariantCulture);
        using var stderr = new StringWriter(CultureInfo.InvariantCulture);
        var exit = await BotCli.InvokeAsync(
            ["analyze", "--repo", root, "--prometheus", fixture.BaseUrl.ToString(), "--at", fixture.At.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture)],
            stdout, stderr);
        Assert.True(exit == 0, $"exit {exit}: {stderr}");
        var actual = stdout.ToString().Split('\n').Select(l => l.TrimEnd()).ToList();

        var excerpt = File.ReadAllLines(Path.Combine(root, "README.md"))
            .SkipWhile(l => !l.StartsWith("Evaluated at ", StringComparison.Ordinal))
            .TakeWhile(l => !l.StartsWith("```", StringComparison.Ordinal))
            .ToList();
        Assert.True(excerpt.Count >= 4, "README.md shows no analyze table (from 'Evaluated at' to the end of its code block)");

        foreach (var line in excerpt)
        {
            var shown = line.TrimEnd().TrimEnd('…').TrimEnd();
            Assert.True(actual.Any(a => a.StartsWith(shown, StringComparison.Ordinal)),
                $"README line\n  {line}\nis not what analyze prints:\n{string.Join('\n', actual)}");
        }
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "GitOpsPromotion.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("GitOpsPromotion.sln not found above " + AppContext.BaseDirectory);
    }
}
