using System.Security.Cryptography;
using System.Text;

namespace PromotionBot.PullRequests;

/// <summary>
/// Escaping for everything that goes from the repository (or from Prometheus) into GitHub: Markdown text and code
/// spans in bodies and comments, titles, label names and hidden-marker values. Names are already Kubernetes names
/// when the policy loads; this is the second wall, for the values that are free text (routes, paths, error messages).
/// </summary>
public static class GitHubText
{
    /// <summary>GitHub rejects longer label names (422).</summary>
    public const int MaxLabelLength = 50;

    /// <summary>GitHub's limit for a pull request title.</summary>
    public const int MaxTitleLength = 256;

    /// <summary>
    /// Plain Markdown text on one line: no HTML, links, images, emphasis, code or @mentions can start inside it.
    /// Backslash escapes render as the character itself, so people read the value as it is.
    /// </summary>
    public static string Text(string text)
    {
        var b = new StringBuilder(text.Length + 8);
        foreach (var c in OneLine(text))
        {
            if (c is '\\' or '`' or '*' or '_' or '[' or ']' or '<' or '>' or '&' or '|' or '~' or '#' or '!' or '(' or ')')
            {
                b.Append('\\').Append(c);
            }
            else if (c == '@')
            {
                // A word joiner after @ keeps GitHub from notifying whoever the text names.
                b.Append("@\u2060");
            }
            else
            {
                b.Append(c);
            }
        }

        return b.ToString();
    }

    /// <summary>An inline code span that the text cannot close early: the fence is longer than any backtick run inside.</summary>
    public static string Code(string text)
    {
        text = OneLine(text);
        var longest = 0;
        var run = 0;
        foreach (var c in text)
        {
            run = c == '`' ? run + 1 : 0;
            longest = Math.Max(longest, run);
        }

        var fence = new string('`', longest + 1);
        var pad = text.Length == 0 || text[0] == '`' || text[^1] == '`' ? " " : "";
        return $"{fence}{pad}{text}{pad}{fence}";
    }

    /// <summary>A fenced block (```lang) whose fence no line of <paramref name="text"/> can close.</summary>
    public static string Fence(string text)
    {
        var longest = 2;
        var run = 0;
        foreach (var c in text)
        {
            run = c == '`' ? run + 1 : 0;
            longest = Math.Max(longest, run);
        }

        return new string('`', longest + 1);
    }

    /// <summary>A title: one line, no control characters, within GitHub's length limit.</summary>
    public static string Title(string text)
    {
        var line = OneLine(text);
        return line.Length <= MaxTitleLength ? line : line[..(MaxTitleLength - 1)] + "…";
    }

    /// <summary>
    /// A label name within GitHub's 50 characters. A longer one keeps its start and gets a short hash of the whole,
    /// so two long canary names still get different labels.
    /// </summary>
    public static string Label(string text)
    {
        var line = OneLine(text).Replace(",", " ", StringComparison.Ordinal);
        if (line.Length <= MaxLabelLength)
        {
            return line;
        }

        var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(line)))[..8];
        return $"{line[..(MaxLabelLength - 9)]}~{hash}";
    }

    /// <summary>
    /// A value inside the hidden HTML-comment marker: only [A-Za-z0-9._-] stay as they are, everything else (spaces,
    /// '/', ':', ',', '>' and a second '-' in a row, so "--" or "-->" never appears) is percent-encoded.
    /// </summary>
    public static string MarkerValue(string value)
    {
        var b = new StringBuilder(value.Length);
        var previous = '\0';
        foreach (var c in value)
        {
            var keep = c is (>= 'a' and <= 'z') or (>= 'A' and <= 'Z') or (>= '0' and <= '9') or '.' or '_' || (c == '-' && previous != '-');
            if (keep)
            {
                b.Append(c);
            }
            else
            {
                foreach (var octet in Encoding.UTF8.GetBytes(c.ToString()))
                {
                    b.Append('%').Append(octet.ToString("X2", System.Globalization.CultureInfo.InvariantCulture));
                }
            }

            previous = c;
        }

        return b.ToString();
    }

    public static string FromMarkerValue(string value) => Uri.UnescapeDataString(value);

    /// <summary>Line breaks and other control characters become spaces: one value can never start a new Markdown block.</summary>
    public static string OneLine(string text) =>
        string.Concat(text.Select(c => char.IsControl(c) || c is '\u2028' or '\u2029' ? ' ' : c));
}
