using System.Text;

namespace Scenarios.Generation;

/// <summary>Renders a label set in OpenMetrics syntax (sorted, escaped), without braces so <c>le</c> can be appended.</summary>
internal static class LabelSet
{
    public static string Render(IEnumerable<KeyValuePair<string, string>> labels)
    {
        var sb = new StringBuilder(1024);
        foreach (var (name, value) in labels.OrderBy(l => l.Key, StringComparer.Ordinal))
        {
            if (sb.Length > 0)
            {
                sb.Append(',');
            }

            sb.Append(name).Append("=\"");
            foreach (var ch in value)
            {
                _ = ch switch
                {
                    '\\' => sb.Append(@"\\"),
                    '"' => sb.Append("\\\""),
                    '\n' => sb.Append(@"\n"),
                    _ => sb.Append(ch),
                };
            }

            sb.Append('"');
        }

        return sb.ToString();
    }
}
