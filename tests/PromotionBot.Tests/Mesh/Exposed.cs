using System.Globalization;
using System.Text.RegularExpressions;

namespace PromotionBot.Tests.Mesh;

/// <summary>One sample line of a Prometheus text exposition, parsed.</summary>
public sealed partial record Exposed(string Name, IReadOnlyDictionary<string, string> Labels, double Value)
{
    public string this[string label] => Labels.GetValueOrDefault(label, "");

    public static IReadOnlyList<Exposed> Parse(string text) =>
        text.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Where(line => !line.StartsWith('#'))
            .Select(line =>
            {
                var m = Line().Match(line);
                if (!m.Success)
                {
                    throw new FormatException($"not a sample line: {line}");
                }

                var labels = Label().Matches(m.Groups["labels"].Value)
                    .ToDictionary(l => l.Groups["name"].Value, l => Regex.Unescape(l.Groups["value"].Value), StringComparer.Ordinal);
                return new Exposed(m.Groups["name"].Value, labels, double.Parse(m.Groups["value"].Value, CultureInfo.InvariantCulture));
            })
            .ToList();

    [GeneratedRegex("""^(?<name>[a-zA-Z_:][a-zA-Z0-9_:]*)\{(?<labels>.*)\} (?<value>\S+)$""")]
    private static partial Regex Line();

    [GeneratedRegex("""(?<name>[a-zA-Z_][a-zA-Z0-9_]*)="(?<value>(?:[^"\\]|\\.)*)",?""")]
    private static partial Regex Label();
}
