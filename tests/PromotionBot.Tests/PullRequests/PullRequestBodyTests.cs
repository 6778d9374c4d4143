using PromotionBot.Analysis;
using PromotionBot.Configuration;
using PromotionBot.PullRequests;
using Xunit;
using static PromotionBot.Tests.PullRequests.Canaries;

namespace PromotionBot.Tests.PullRequests;

public sealed class PullRequestBodyTests
{
    private static readonly LinkSettings Links = new(new Uri("http://prometheus.local:9090/"), new Uri("https://grafana.local/"),
        new Uri("https://kiali.local/kiali/"), new Uri("https://argocd.local/"), "ecommerce");

    private static PromotionProposal Proposal(DecisionKind kind, (int, int) current, (int, int) next, string reason = "v2 healthy on 400 requests", IReadOnlyList<DecisionCause>? causes = null)
    {
        var e = Evaluation(kind, current, next, reason: reason, causes: causes);
        return new PromotionProposal(e, e.Policy!, e.Decision!);
    }

    private static ErrorRateChart Chart() => new(
        Enumerable.Range(0, 3).Select(i => At.AddMinutes(-10 + (5 * i))).ToList(),
        new Dictionary<string, IReadOnlyList<double?>> { ["v1"] = [0.001, 0.002, null], ["v2"] = [0.004, 0.0025, 0.003] });

    [Fact]
    public void Marker_round_trips_through_the_body()
    {
        var body = PullRequestBody.Render(Proposal(DecisionKind.Advance, (80, 20), (50, 50)), "0123456789abcdef", Chart(), Links);

        var marker = PullRequestMarker.TryParse(body)!;

        Assert.StartsWith("<!-- promotion-bot: canary=ecommerce/product-catalog decision=advance weights=v1:50,v2:50 base=0123456789abcdef -->", body, StringComparison.Ordinal);
        Assert.Equal("ecommerce/product-catalog", marker.Key);
        Assert.Equal(DecisionKind.Advance, marker.Decision);
        Assert.Equal(50, marker.WeightMap["v2"]);
        Assert.Equal("0123456789abcdef", marker.BaseSha);
    }

    [Fact]
    public void Body_carries_decision_numbers_thresholds_chart_query_links_and_after_merge()
    {
        var body = PullRequestBody.Render(Proposal(DecisionKind.Advance, (80, 20), (50, 50)), "abc", Chart(), Links);

        Assert.Contains("**Decision: advance**", body, StringComparison.Ordinal);
        Assert.Contains("| v2 | 20% | **50%** |", body, StringComparison.Ordinal);
        Assert.Contains("| 5xx error rate | 0.125% | 0.25% | ≤ 1% |", body, StringComparison.Ordinal);
        Assert.Contains("| p99 latency | 110 ms | 120 ms | ≤ 500 ms |", body, StringComparison.Ordinal);
        Assert.Contains("| Requests | 1,600 | 400 | ≥ 100 |", body, StringComparison.Ordinal);
        Assert.Contains("```mermaid\nxychart-beta", body.ReplaceLineEndings("\n"), StringComparison.Ordinal);
        Assert.Contains("    line [0.1, 0.2, 0]", body, StringComparison.Ordinal);
        Assert.Contains("    line [0.4, 0.25, 0.3]", body, StringComparison.Ordinal);
        Assert.Contains("```promql", body, StringComparison.Ordinal);
        Assert.Contains("](http://prometheus.local:9090/graph?g0.expr=sum%20by", body, StringComparison.Ordinal);
        Assert.Contains("[Kiali](https://kiali.local/kiali/console/namespaces/ecommerce/services/product-catalog)", body, StringComparison.Ordinal);
        Assert.Contains("[Argo CD](https://argocd.local/applications/ecommerce)", body, StringComparison.Ordinal);
        Assert.Contains("### After merge", body, StringComparison.Ordinal);
        Assert.Contains("(100%) or a rollback", body, StringComparison.Ordinal);
    }

    [Fact]
    public void Rollback_body_is_urgent()
    {
        var body = PullRequestBody.Render(Proposal(DecisionKind.Rollback, (50, 50), (100, 0), "circuit breaking on v2: outlier ejection in the last 10m", [DecisionCause.OutlierEjection]), "abc", null, Links);

        Assert.Contains("> [!CAUTION]", body, StringComparison.Ordinal);
        Assert.Contains("Urgent rollback", body, StringComparison.Ordinal);
        Assert.Contains("circuit breaking on v2", body, StringComparison.Ordinal);
        Assert.DoesNotContain("```mermaid", body, StringComparison.Ordinal);
    }

    [Fact]
    public void Rendering_is_deterministic()
    {
        var p = Proposal(DecisionKind.Advance, (80, 20), (50, 50));

        Assert.Equal(PullRequestBody.Render(p, "abc", Chart(), Links), PullRequestBody.Render(p, "abc", Chart(), Links));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("no marker")]
    [InlineData("<!-- promotion-bot: canary=ecommerce/x decision=sideways weights=v1:50,v2:50 base=abc -->")]
    [InlineData("<!-- promotion-bot: canary=ecommerce/x decision=advance weights=v1:fifty base=abc -->")]
    public void Bodies_without_a_valid_marker_are_not_the_bots(string? body) => Assert.Null(PullRequestMarker.TryParse(body));

    [Fact]
    public void Status_summary_fits_and_names_the_evidence()
    {
        var summary = EvidenceSummary.Describe(Proposal(DecisionKind.Advance, (80, 20), (50, 50)));

        Assert.Equal("Advance to v1:50/v2:50: v2 5xx 0.25%, p99 120ms, 400 req (≤1%, ≤500ms)", summary);
        Assert.True(summary.Length <= 140);
    }
}
