using Xunit;

using System.Globalization;
using System.Text.RegularExpressions;

namespace PromotionBot.Tests.Worker;

/// <summary>The samples of a Prometheus text exposition, by series (name plus labels as written).</summary>
internal static partial class MetricsText
{
    [GeneratedRegex(@"^(?<name>[a-zA-Z_:][a-zA-Z0-9_:]*)(?<labels>\{[^}]*\})?\s+(?<value>\S+)")]
    private static partial Regex Sample();

    [GeneratedRegex(@"(?<key>[a-zA-Z_][a-zA-Z0-9_]*)=""(?<value>(?:[^""\\]|\\.)*)""")]
    private static partial Regex Label();

    public sealed record Series(string Name, IReadOnlyDictionary<string, string> Labels, double Value);

    public static IReadOnlyList<Series> Parse(string text) => text.Split('\n')
        .Where(l => l.Length > 0 && !l.StartsWith('#'))
        .Select(l => Sample().Match(l))
        .Where(m => m.Success)
        .Select(m => new Series(
            m.Groups["name"].Value,
            Label().Matches(m.Groups["labels"].Value).ToDictionary(l => l.Groups["key"].Value, l => l.Groups["value"].Value),
            double.Parse(m.Groups["value"].Value, CultureInfo.InvariantCulture)))
        .ToList();

    /// <summary>Metric family name → type, from the # TYPE lines.</summary>
    public static IReadOnlyDictionary<string, string> Types(string text) => text.Split('\n')
        .Where(l => l.StartsWith("# TYPE ", StringComparison.Ordinal))
        .Select(l => l.Split(' '))
        .ToDictionary(p => p[2], p => p[3].Trim());

    public static double Value(this IReadOnlyList<Series> series, string name, params (string Key, string Value)[] labels) =>
        Assert.Single(series, s => s.Name == name && labels.All(l => s.Labels.GetValueOrDefault(l.Key) == l.Value)).Value;
}
