using System.Text;

namespace Repository.Tests.Docs;

/// <summary>Just enough shell lexing to compare commands: continuation lines, trailing comments, words.</summary>
public static class ShellText
{
    /// <summary>Logical lines: a line ending in a backslash continues on the next one. Returns each with its first line number.</summary>
    public static IEnumerable<(int Line, string Text)> LogicalLines(IEnumerable<(int Line, string Text)> lines)
    {
        var current = new StringBuilder();
        var start = 0;
        foreach (var (line, text) in lines)
        {
            if (current.Length == 0)
            {
                start = line;
            }

            var trimmed = text.TrimEnd();
            if (trimmed.EndsWith('\\'))
            {
                current.Append(trimmed[..^1]).Append(' ');
                continue;
            }

            current.Append(trimmed);
            yield return (start, current.ToString());
            current.Clear();
        }

        if (current.Length > 0)
        {
            yield return (start, current.ToString());
        }
    }

    /// <summary>The command without a trailing <c># comment</c> (a # at a word start, outside quotes), whitespace collapsed.</summary>
    public static string Normalize(string command)
    {
        var sb = new StringBuilder();
        char? quote = null;
        for (var i = 0; i < command.Length; i++)
        {
            var c = command[i];
            if (quote is null && c == '#' && (i == 0 || char.IsWhiteSpace(command[i - 1])))
            {
                break;
            }

            if (c is '\'' or '"')
            {
                quote = quote == c ? null : quote ?? c;
            }

            sb.Append(c);
        }

        return string.Join(' ', sb.ToString().Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
    }

    /// <summary>Words of a command, quotes removed (no expansion).</summary>
    public static IReadOnlyList<string> Words(string command)
    {
        var words = new List<string>();
        var sb = new StringBuilder();
        char? quote = null;
        var any = false;
        foreach (var c in command)
        {
            if (quote is null && char.IsWhiteSpace(c))
            {
                if (any)
                {
                    words.Add(sb.ToString());
                }

                sb.Clear();
                any = false;
                continue;
            }

            any = true;
            if (c is '\'' or '"' && (quote is null || quote == c))
            {
                quote = quote is null ? c : null;
                continue;
            }

            sb.Append(c);
        }

        if (any)
        {
            words.Add(sb.ToString());
        }

        return words;
    }
}
