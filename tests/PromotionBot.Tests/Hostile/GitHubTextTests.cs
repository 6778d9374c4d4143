using PromotionBot.Analysis;
using PromotionBot.Policy;
using PromotionBot.PullRequests;
using PromotionBot.Tests.PullRequests;
using Xunit;

namespace PromotionBot.Tests.Hostile;

/// <summary>Repository text on its way into GitHub: the marker, code spans, Markdown, titles and labels.</summary>
public sealed class GitHubTextTests
{
    public static TheoryData<string> HostileNames => new()
    {
        "a--b", "a-->b", "x -->", "`code`", "<b>bold</b>", "@team", "v 2", "ns/name", "a:1,b:2", "é", "line\nbreak", new string('a', 63),
    };

    [Theory]
    [MemberData(nameof(HostileNames))]
    public void Marker_survives_any_name(string name)
    {
        var marker = new PullRequestMarker(name, name, DecisionKind.Rollback, [new(name, 100), new("v2", 0)], "0123abcd");

        var rendered = marker.Render();
        var parsed = PullRequestMarker.TryParse("text before\n" + rendered + "\ntext after");

        Assert.NotNull(parsed);
        Assert.Equal((name, name, DecisionKind.Rollback, "0123abcd"), (parsed.Namespace, parsed.Canary, parsed.Decision, parsed.BaseSha));
        Assert.Equal(marker.Weights, parsed.Weights);
        // The comment cannot end early, and one marker stays on one line.
        Assert.Equal(rendered.Length - 3, rendered.IndexOf("-->", StringComparison.Ordinal));
        Assert.DoesNotContain('\n', rendered);
    }

    [Fact]
    public void Marker_survives_every_name_the_schema_allows()
    {
        // DNS-1123 labels: lowercase letters, digits and '-' (also "--"), up to 63 characters.
        var random = new Random(12);
        const string alphabet = "abcdefghijklmnopqrstuvwxyz0123456789-";
        for (var i = 0; i < 500; i++)
        {
            var middle = new string(Enumerable.Range(0, random.Next(0, 62)).Select(_ => alphabet[random.Next(alphabet.Length)]).ToArray());
            var name = $"a{middle}"[..Math.Min(62, middle.Length + 1)] + "z";
            Assert.True(KubernetesNames.IsLabel(name), name);
            var marker = new PullRequestMarker(name, name, DecisionKind.Advance, [new(name, 50), new("v2", 50)], "abc");
            var parsed = PullRequestMarker.TryParse(marker.Render());
            Assert.Equal(marker.Key, parsed?.Key);
            Assert.Equal(marker.Weights, parsed!.Weights);
        }
    }

    [Theory]
    [InlineData("plain", "`plain`")]
    [InlineData("a`b", "``a`b``")]
    [InlineData("``x``", "``` ``x`` ```")]
    [InlineData("two\nlines", "`two lines`")]
    public void Code_spans_cannot_be_closed_by_their_text(string text, string expected) => Assert.Equal(expected, GitHubText.Code(text));

    [Fact]
    public void Markdown_text_renders_no_html_links_or_mentions()
    {
        Assert.Equal("\\<b\\>hi\\</b\\> \\[x\\]\\(http://e\\) @\u2060team \\`c\\` \\*\\*", GitHubText.Text("<b>hi</b> [x](http://e) @team `c` **"));
        Assert.Equal("a b", GitHubText.Text("a\nb"));
    }

    [Fact]
    public void Labels_titles_and_bodies_stay_within_github_limits_and_escaped()
    {
        var longName = new string('a', 63);
        var other = new string('a', 62) + "b";
        var evaluation = Canaries.Evaluation(DecisionKind.Rollback, (80, 20), (100, 0), name: longName);
        var proposal = new PromotionProposal(evaluation, evaluation.Policy! with { VirtualService = evaluation.Policy!.VirtualService with { Route = "prim`ary -->" } }, evaluation.Decision!);
        var otherProposal = new PromotionProposal(Canaries.Evaluation(DecisionKind.Rollback, (80, 20), (100, 0), name: other), Canaries.Policy(other), evaluation.Decision!);

        var label = proposal.Labels[1];
        Assert.True(label.Length <= GitHubText.MaxLabelLength, label);
        Assert.StartsWith("canary:aaaa", label, StringComparison.Ordinal);
        Assert.NotEqual(label, otherProposal.Labels[1]);
        Assert.True(proposal.Title.Length <= GitHubText.MaxTitleLength);

        var body = PullRequestBody.Render(proposal, "abc", null, new PromotionBot.Configuration.LinkSettings(null, null, null, null, null));
        Assert.Contains("http route ``prim`ary -->``", body, StringComparison.Ordinal);
        Assert.Equal(longName, PullRequestMarker.TryParse(body)!.Canary);
    }
}
