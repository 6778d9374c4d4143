using System.Globalization;
using System.Text.Json;
using PromotionBot.Cli;
using PromotionBot.Tests.Scenarios;
using Scenarios;
using Xunit;
using static PromotionBot.Tests.Scenarios.ScenarioCatalog;

namespace PromotionBot.Tests.Policy;

/// <summary><c>analyze --time-scale</c> end to end: the compressed window is what Prometheus is asked about and what the output says.</summary>
[Collection(PrometheusScenarioCollection.Name)]
public sealed class TimeScaleAnalyzeTests(PrometheusScenarioFixture fixture)
{
    private async Task<(int Exit, string Out, string Err)> RunAsync(string repo, string format, double scale)
    {
        using var stdout = new StringWriter(CultureInfo.InvariantCulture);
        using var stderr = new StringWriter(CultureInfo.InvariantCulture);
        var exit = await BotCli.InvokeAsync(["analyze", "--repo", repo, "--prometheus", fixture.BaseUrl.ToString(),
            "--at", fixture.At.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture), "--format", format,
            "--time-scale", scale.ToString(CultureInfo.InvariantCulture)], stdout, stderr);
        return (exit, stdout.ToString(), stderr.ToString());
    }

    private async Task<(JsonElement Canary, string Table, string Stderr)> AnalyzeAsync(string repo, double scale)
    {
        var json = await RunAsync(repo, "json", scale);
        Assert.True(json.Exit == 0, $"exit {json.Exit}: {json.Err}\n{json.Out}");
        var table = await RunAsync(repo, "table", scale);
        using var doc = JsonDocument.Parse(json.Out);
        return (doc.RootElement.GetProperty("canaries")[0].Clone(), table.Out, json.Err);
    }

    [Fact]
    public async Task Time_x20_judges_the_last_30s_and_says_so()
    {
        using var repo = new CanaryRepo().Add(Healthy.Namespace, Healthy, 80, 20);

        var (plain, plainTable, plainErr) = await AnalyzeAsync(repo.Root, 1);
        var (scaled, scaledTable, scaledErr) = await AnalyzeAsync(repo.Root, 20);

        Assert.Equal(("10m", 1.0), (plain.GetProperty("window").GetString(), plain.GetProperty("timeScale").GetDouble()));
        Assert.Equal(("30s", 20.0), (scaled.GetProperty("window").GetString(), scaled.GetProperty("timeScale").GetDouble()));
        // Prometheus was asked about 30 seconds of traffic, not 10 minutes.
        Assert.InRange(scaled.Requests("v2"), 1, plain.Requests("v2") / 10);
        Assert.DoesNotContain("time ×", plainTable + plainErr, StringComparison.Ordinal);
        Assert.Contains("(time ×20: policy durations divided by 20)", scaledTable, StringComparison.Ordinal);
        Assert.Contains("warning: --time-scale is 20: every policy duration is divided by it (time ×20: a 10m window is judged over 30s)", scaledErr, StringComparison.Ordinal);
    }
}
