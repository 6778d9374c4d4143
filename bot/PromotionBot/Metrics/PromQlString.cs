using System.Globalization;
using System.Text;

namespace PromotionBot.Metrics;

/// <summary>
/// The one way a value from the repository enters PromQL: as a double-quoted string literal (Go escaping), and for
/// <c>=~</c> matchers first RE2-escaped. Every query of the bot, the pull-request chart included, builds its label
/// matchers here, so a stray quote in one policy can never change the meaning of a query shared with other canaries.
/// </summary>
public static class PromQlString
{
    /// <summary>A PromQL string literal, quotes included: <c>"a\"b"</c>.</summary>
    public static string Quote(string value)
    {
        var b = new StringBuilder(value.Length + 2).Append('"');
        foreach (var c in value)
        {
            switch (c)
            {
                case '\\': b.Append("\\\\"); break;
                case '"': b.Append("\\\""); break;
                case '\n': b.Append("\\n"); break;
                case '\r': b.Append("\\r"); break;
                case '\t': b.Append("\\t"); break;
                default:
                    if (char.IsControl(c) || char.IsSurrogate(c) && !char.IsHighSurrogate(c) && !char.IsLowSurrogate(c))
                    {
                        b.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
                    }
                    else
                    {
                        b.Append(c);
                    }

                    break;
            }
        }

        return b.Append('"').ToString();
    }

    /// <summary><paramref name="label"/>="value", escaped.</summary>
    public static string Equal(string label, string value) => $"{label}={Quote(value)}";

    /// <summary><paramref name="label"/>=~"a|b|c": each value matched literally (RE2 metacharacters escaped), sorted and distinct.</summary>
    public static string OneOf(string label, IEnumerable<string> values) => $"{label}=~{Quote(Alternation(values))}";

    /// <summary>Literal alternatives for an RE2 pattern (unquoted), e.g. <c>a\.b|c</c>.</summary>
    public static string Alternation(IEnumerable<string> values) =>
        string.Join('|', values.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).Select(RegexLiteral));

    /// <summary>Go's regexp.QuoteMeta: every RE2 metacharacter backslash-escaped.</summary>
    public static string RegexLiteral(string value)
    {
        var b = new StringBuilder(value.Length);
        foreach (var c in value)
        {
            if (@"\.+*?()|[]{}^$".Contains(c, StringComparison.Ordinal))
            {
                b.Append('\\');
            }

            b.Append(c);
        }

        return b.ToString();
    }
}
