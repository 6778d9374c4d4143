using System.Globalization;
using System.Text.Json;
using PromotionBot.Cli;

namespace PromotionBot.Tests.Scenarios;

/// <summary>Runs the real <c>analyze --format json</c> command line in-process and parses its JSON contract.</summary>
internal sealed record AnalyzeRun(int ExitCode, string Json, string Stderr)
{
    public static async Task<AnalyzeRun> InvokeAsync(string repoDir, Uri prometheus, DateTimeOffset at)
    {
        using var stdout = new StringWriter(CultureInfo.InvariantCulture);
        using var stderr = new StringWriter(CultureInfo.InvariantCulture);
        var exit = await BotCli.InvokeAsync(
            ["analyze", "--repo", repoDir, "--prometheus", prometheus.ToString(), "--at", at.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture), "--format", "json"],
            stdout, stderr);
        return new AnalyzeRun(exit, stdout.ToString(), stderr.ToString());
    }

    public JsonElement Canary(string name)
    {
        using var doc = JsonDocument.Parse(Json);
        foreach (var c in doc.RootElement.GetProperty("canaries").EnumerateArray())
        {
            if (c.GetProperty("name").GetString() == name)
            {
                return c.Clone();
            }
        }

        throw new Xunit.Sdk.XunitException($"canary '{name}' not in output:\n{Json}\n{Stderr}");
    }
}

internal static class CanaryJson
{
    public static string Decision(this JsonElement c) => c.GetProperty("decision").GetString() ?? "(null)";

    public static string HoldReason(this JsonElement c) => c.GetProperty("holdReason").GetString() ?? "(null)";

    public static IReadOnlyDictionary<string, int>? NextWeights(this JsonElement c) =>
        c.GetProperty("nextWeights").ValueKind == JsonValueKind.Null
            ? null
            : c.GetProperty("nextWeights").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetInt32());

    public static double Requests(this JsonElement c, string subset) => c.GetProperty("requests").GetProperty(subset).GetDouble();

    public static IEnumerable<(string Name, string Subset, string Result)> Checks(this JsonElement c) =>
        c.GetProperty("checks").EnumerateArray()
            .Select(k => (k.GetProperty("name").GetString()!, k.GetProperty("subset").GetString()!, k.GetProperty("result").GetString()!));

    /// <summary>Decision plus reasons, to make a failed assertion say why the bot decided what it did.</summary>
    public static string Explain(this JsonElement c) => c.ToString();
}
