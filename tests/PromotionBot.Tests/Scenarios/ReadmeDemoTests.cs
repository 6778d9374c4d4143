using System.Globalization;
using Demo.Orchestration;
using PromotionBot.Cli;
using Xunit;

namespace PromotionBot.Tests.Scenarios;

/// <summary>
/// The README shows what <c>make demo</c> prints. Two forms are checked, whichever README holds: the live view of the
/// whole loop (tests/Demo: its header exactly, every decision and event row in the format the demo writes, and only
/// decisions the worker makes), and the older <c>analyze</c> table over the tutorial scenario (every canary row of the
/// excerpt is a prefix of the real row; the README trims long reasons with "…").
/// </summary>
[Collection(PrometheusScenarioCollection.Name)]
public sealed class ReadmeDemoTests(PrometheusScenarioFixture fixture)
{
    [Fact]
    public async Task The_readme_demo_excerpt_is_what_the_demo_prints()
    {
        var readme = File.ReadAllLines(Path.Combine(RepositoryRoot(), "README.md"));
        var liveView = LiveViewExcerpt(readme);
        var analyze = AnalyzeExcerpt(readme);
        Assert.True(liveView.Count > 0 || analyze.Count > 0,
            "README.md shows no demo output: neither the live view (its header line) nor an analyze table ('Evaluated at')");

        if (liveView.Count > 0)
        {
            CheckLiveView(liveView);
        }

        if (analyze.Count > 0)
        {
            await CheckAnalyze(analyze);
        }
    }

    /// <summary>The code block lines from the live view's header to the end of that block.</summary>
    private static List<string> LiveViewExcerpt(string[] readme) =>
        readme.SkipWhile(l => l.TrimEnd() != LiveViewFormat.Header)
            .TakeWhile(l => !l.StartsWith("```", StringComparison.Ordinal))
            .ToList();

    private static List<string> AnalyzeExcerpt(string[] readme) =>
        readme.SkipWhile(l => !l.StartsWith("Evaluated at ", StringComparison.Ordinal))
            .TakeWhile(l => !l.StartsWith("```", StringComparison.Ordinal))
            .ToList();

    private static void CheckLiveView(List<string> excerpt)
    {
        var rows = excerpt.Skip(1).Where(l => l.TrimStart().StartsWith('+')).ToList();
        var decisions = rows.Select(l => LiveViewFormat.DecisionRow().Match(l.TrimEnd().TrimEnd('…'))).Where(m => m.Success).ToList();
        Assert.True(decisions.Count >= 2, "README's live view shows fewer than two decision rows:\n" + string.Join('\n', excerpt));
        foreach (var row in rows)
        {
            Assert.True(LiveViewFormat.DecisionRow().IsMatch(row.TrimEnd()) || LiveViewFormat.EventRow().IsMatch(row.TrimEnd()),
                $"README line\n  {row}\nis neither a decision row nor an event line of the demo's live view (tests/Demo/Orchestration/LiveViewFormat.cs)");
        }

        string[] canaries = ["product-catalog", "order-management"];
        Assert.All(decisions, m => Assert.Contains(m.Groups["canary"].Value, canaries));
    }

    private async Task CheckAnalyze(List<string> excerpt)
    {
        var root = RepositoryRoot();
        using var stdout = new StringWriter(CultureInfo.InvariantCulture);
        using var stderr = new StringWriter(CultureInfo.InvariantCulture);
        var exit = await BotCli.InvokeAsync(
            ["analyze", "--repo", root, "--prometheus", fixture.BaseUrl.ToString(), "--at", fixture.At.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture)],
            stdout, stderr);
        Assert.True(exit == 0, $"exit {exit}: {stderr}");
        var actual = stdout.ToString().Split('\n').Select(l => l.TrimEnd()).ToList();
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
