using PromotionBot.Metrics;
using PromotionBot.Policy;
using PromotionBot.Tests.Scenarios;
using Xunit;

namespace PromotionBot.Tests.Hostile;

/// <summary>
/// Every query the bot sends, the chart's included, goes through <see cref="PromQlString"/>: even values the policy
/// loader would refuse make well-formed PromQL that a real Prometheus accepts and that matches nothing.
/// </summary>
[Collection(PrometheusScenarioCollection.Name)]
public sealed class PromQlEscapingTests(PrometheusScenarioFixture fixture)
{
    [Theory]
    [InlineData("\"}")]
    [InlineData("a\\\"b")]
    [InlineData(".*")]
    [InlineData("x|y")]
    [InlineData("line\nbreak")]
    [InlineData("`$(rm)`")]
    public async Task Hostile_values_make_well_formed_queries(string value)
    {
        var hostile = PullRequests.Canaries.Policy() with { Namespace = value, Service = value };
        var fine = PullRequests.Canaries.Policy("healthy-one", "healthy");
        var queries = new SignalQueries([hostile, fine]).All.Append(SignalQueries.ErrorRateSeries(hostile)).ToList();
        using var http = new HttpClient();
        var client = new PrometheusClient(http, new PromotionBot.Configuration.PrometheusOptions { Url = fixture.BaseUrl.ToString(), Retries = 0 });

        foreach (var query in queries)
        {
            // Throws PrometheusException (bad_data) if the value escaped its string literal.
            var samples = await client.QueryAsync(query, fixture.At, CancellationToken.None);
            Assert.DoesNotContain(samples, s => s.Label("destination_service_name") == value);
        }
    }

    [Fact]
    public void Quote_and_regex_literal_escape_what_go_and_re2_need()
    {
        Assert.Equal("\"a\\\"b\\\\c\\nd\"", PromQlString.Quote("a\"b\\c\nd"));
        Assert.Equal("a\\.b\\|c\\*", PromQlString.RegexLiteral("a.b|c*"));
        Assert.Equal("destination_service_name=~\"a\\\\.b|c\"", PromQlString.OneOf("destination_service_name", ["c", "a.b", "c"]));
    }

    [Fact]
    public void Policy_names_that_reach_promql_must_be_kubernetes_names()
    {
        Assert.True(KubernetesNames.IsLabel("product-catalog"));
        Assert.False(KubernetesNames.IsLabel("product-catalog\""));
        Assert.False(KubernetesNames.IsLabel(new string('a', 64)));
        Assert.True(KubernetesNames.IsSubdomain("vs.v1"));
    }
}
