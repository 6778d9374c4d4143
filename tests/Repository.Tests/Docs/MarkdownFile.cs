using System.Text;
using System.Text.RegularExpressions;

namespace Repository.Tests.Docs;

/// <summary>A fenced code block: its info string's first word ("bash", "text", "" …) and its lines.</summary>
public sealed record FencedBlock(string Language, int StartLine, IReadOnlyList<(int Line, string Text)> Lines);

/// <summary>A link target as written, with the line it is on.</summary>
public sealed record MarkdownLink(int Line, string Target);

/// <summary>
/// The parts of a Markdown file the documentation tests need: fenced blocks, headings (as GitHub anchors), links and
/// inline code, each with its line. Only what GitHub's renderer does for these is modelled, nothing more.
/// </summary>
public sealed partial class MarkdownFile
{
    public string RelativePath { get; }
    public IReadOnlyList<FencedBlock> Blocks { get; }
    public IReadOnlySet<string> Anchors { get; }
    public IReadOnlyList<MarkdownLink> Links { get; }

    /// <summary>Text of every inline code span and fenced block line, with its line: where keys and commands are written.</summary>
    public IReadOnlyList<(int Line, string Text)> Code { get; }

    private MarkdownFile(string relativePath, IReadOnlyList<FencedBlock> blocks, IReadOnlySet<string> anchors,
        IReadOnlyList<MarkdownLink> links, IReadOnlyList<(int, string)> code)
    {
        RelativePath = relativePath;
        Blocks = blocks;
        Anchors = anchors;
        Links = links;
        Code = code;
    }

    public static MarkdownFile Load(string fullPath, string relativePath) => Parse(relativePath, File.ReadAllText(fullPath));

    public static MarkdownFile Parse(string relativePath, string text)
    {
        var lines = text.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n');
        var blocks = new List<FencedBlock>();
        var anchors = new HashSet<string>(StringComparer.Ordinal);
        var slugCounts = new Dictionary<string, int>(StringComparer.Ordinal);
        var links = new List<MarkdownLink>();
        var code = new List<(int, string)>();

        for (var i = 0; i < lines.Length; i++)
        {
            var number = i + 1;
            var fence = Fence().Match(lines[i]);
            if (fence.Success)
            {
                // A fence closes only on the same character, at least as long: ```` blocks may hold ``` blocks.
                var marker = fence.Groups["fence"].Value;
                var language = fence.Groups["info"].Value.Trim().Split(' ', 2)[0];
                var body = new List<(int, string)>();
                var j = i + 1;
                for (; j < lines.Length; j++)
                {
                    var close = Fence().Match(lines[j]);
                    if (close.Success && close.Groups["info"].Value.Trim().Length == 0
                        && close.Groups["fence"].Value[0] == marker[0] && close.Groups["fence"].Value.Length >= marker.Length)
                    {
                        break;
                    }

                    body.Add((j + 1, lines[j]));
                }

                blocks.Add(new FencedBlock(language, number, body));
                code.AddRange(body);
                i = j;
                continue;
            }

            var heading = Heading().Match(lines[i]);
            if (heading.Success)
            {
                var slug = Slug(heading.Groups["text"].Value);
                var seen = slugCounts.GetValueOrDefault(slug);
                slugCounts[slug] = seen + 1;
                anchors.Add(seen == 0 ? slug : $"{slug}-{seen}");
            }

            foreach (Match span in InlineCode().Matches(lines[i]))
            {
                code.Add((number, span.Groups["code"].Value));
            }

            var prose = InlineCode().Replace(lines[i], "");
            foreach (Match link in InlineLink().Matches(prose))
            {
                links.Add(new MarkdownLink(number, link.Groups["target"].Value));
            }

            if (ReferenceDefinition().Match(prose) is { Success: true } definition)
            {
                links.Add(new MarkdownLink(number, definition.Groups["target"].Value));
            }
        }

        return new MarkdownFile(relativePath, blocks, anchors, links, code);
    }

    /// <summary>GitHub's heading anchor: the rendered text, lower case, punctuation dropped, spaces to hyphens.</summary>
    public static string Slug(string headingText)
    {
        var text = InlineLink().Replace(headingText.Trim().TrimEnd('#').Trim(), m => m.Groups["text"].Value);
        var sb = new StringBuilder();
        foreach (var c in text.ToLowerInvariant())
        {
            if (char.IsLetterOrDigit(c) || c is '-' or '_')
            {
                sb.Append(c);
            }
            else if (c == ' ')
            {
                sb.Append('-');
            }
        }

        return sb.ToString();
    }

    [GeneratedRegex(@"^ {0,3}(?<fence>`{3,}|~{3,})(?<info>[^`]*)$")]
    private static partial Regex Fence();

    [GeneratedRegex(@"^ {0,3}#{1,6}\s+(?<text>.+)$")]
    private static partial Regex Heading();

    [GeneratedRegex(@"(?<ticks>`+)(?<code>.+?)\k<ticks>")]
    private static partial Regex InlineCode();

    [GeneratedRegex(@"!?\[(?<text>[^\]]*)\]\((?<target>[^)\s]+)(?:\s+""[^""]*"")?\)")]
    private static partial Regex InlineLink();

    [GeneratedRegex(@"^ {0,3}\[[^\]]+\]:\s+(?<target>\S+)")]
    private static partial Regex ReferenceDefinition();
}
