using PromotionBot.PullRequests;
using Xunit;

namespace PromotionBot.Tests.PullRequests;

public sealed class UnifiedDiffTests
{
    [Fact]
    public void Changed_weight_lines_show_with_context()
    {
        var before = string.Join('\n', Enumerable.Range(1, 20).Select(i => $"line {i}")) + "\n";
        var after = before.Replace("line 10\n", "line ten\n", StringComparison.Ordinal);

        var diff = UnifiedDiff.Compute("vs.yaml", before, after, context: 2);

        Assert.Equal("--- a/vs.yaml\n+++ b/vs.yaml\n@@ -8,5 +8,5 @@\n line 8\n line 9\n-line 10\n+line ten\n line 11\n line 12\n", diff.ReplaceLineEndings("\n"));
    }

    [Fact]
    public void Distant_changes_make_separate_hunks()
    {
        var before = string.Join('\n', Enumerable.Range(1, 30).Select(i => $"l{i}"));
        var after = before.Replace("l3\n", "x3\n", StringComparison.Ordinal).Replace("l25\n", "x25\n", StringComparison.Ordinal);

        var diff = UnifiedDiff.Compute("f", before, after);

        Assert.Equal(2, diff.Split('\n').Count(l => l.StartsWith("@@", StringComparison.Ordinal)));
        Assert.Contains("-l25\n+x25", diff.ReplaceLineEndings("\n"), StringComparison.Ordinal);
    }
}
