using System.Globalization;
using System.Text.RegularExpressions;

namespace Demo.Orchestration;

/// <summary>
/// The live view's lines: one per cycle and canary under <see cref="Header"/>, and event lines ("**") in between.
/// Public so README's excerpt can be checked against the format (tests/PromotionBot.Tests/Scenarios/ReadmeDemoTests).
/// </summary>
public static partial class LiveViewFormat
{
    public const int CauseWidth = 64;

    public static string Header { get; } =
        $"{"TIME",7}  {"CANARY",-17} {"GIT",-7} {"LIVE",-7} {"5XX V1/V2",-13} {"P99 MS V1/V2",-13} {"DECISION",-9} {"PR",-4} CAUSE";

    /// <param name="time">"+12.3s" since the loop started.</param>
    /// <param name="errors">v1/v2 5xx ratio over the canary's (compressed) analysis window.</param>
    /// <param name="p99">v1/v2 p99 in ms over the same window.</param>
    /// <param name="pr">The canary's open bot pull request ("#3") or "-".</param>
    public static string Row(string time, string canary, string git, string live, string errors, string p99, string decision, string pr, string cause) =>
        $"{time,7}  {canary,-17} {git,-7} {live,-7} {errors,-13} {p99,-13} {decision,-9} {pr,-4} {Cut(cause, CauseWidth)}".TrimEnd();

    public static string Event(string time, string text) => $"{time,7}  ** {text}";

    public static string Clock(TimeSpan sinceStart) => FormattableString.Invariant($"+{Math.Max(0, sinceStart.TotalSeconds):0.0}s");

    /// <summary>"0.00%/0.00%": v1 then v2; "-" where Prometheus had no data.</summary>
    public static string Percentages(IReadOnlyDictionary<string, SubsetFigures> figures) => $"{Percent(figures, "v1")}/{Percent(figures, "v2")}";

    /// <summary>"31/30": v1 then v2 p99 in ms; "-" where Prometheus had no data.</summary>
    public static string Latencies(IReadOnlyDictionary<string, SubsetFigures> figures) => $"{Millis(figures, "v1")}/{Millis(figures, "v2")}";

    public static string Cut(string text, int width)
    {
        var oneLine = text.ReplaceLineEndings(" ");
        return oneLine.Length <= width ? oneLine : oneLine[..(width - 1)] + "…";
    }

    /// <summary>A decision row as <see cref="Row"/> writes it.</summary>
    [GeneratedRegex(@"^\s*\+\d+\.\ds  (?<canary>[a-z0-9-]+)\s+(?<git>\d+/\d+|-)\s+(?<live>\d+/\d+|-)\s+(?<errors>(\d+\.\d\d%|-)/(\d+\.\d\d%|-))\s+(?<p99>(\d+|-)/(\d+|-))\s+(?<decision>hold|advance|promote|rollback|error)\s+(?<pr>#\d+|-)(\s+(?<cause>.+))?$")]
    public static partial Regex DecisionRow();

    /// <summary>An event line as <see cref="Event"/> writes it.</summary>
    [GeneratedRegex(@"^\s*\+\d+\.\ds  \*\* \S.*$")]
    public static partial Regex EventRow();

    private static string Percent(IReadOnlyDictionary<string, SubsetFigures> figures, string version) =>
        figures.TryGetValue(version, out var f) && !double.IsNaN(f.ErrorRate) ? (f.ErrorRate * 100).ToString("0.00", CultureInfo.InvariantCulture) + "%" : "-";

    private static string Millis(IReadOnlyDictionary<string, SubsetFigures> figures, string version) =>
        figures.TryGetValue(version, out var f) && double.IsFinite(f.P99Ms) ? f.P99Ms.ToString("0", CultureInfo.InvariantCulture) : "-";
}
