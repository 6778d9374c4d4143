using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace PromotionBot.Manifest;

/// <summary>A position in the parsed text: 0-based character index, 1-based line and column.</summary>
internal readonly record struct TextPosition(int Index, int Line, int Column)
{
    public static TextPosition From(Mark mark) => new((int)mark.Index, (int)mark.Line, (int)mark.Column);
}

/// <summary>
/// A YAML node with its source span. Plain classes rather than records: the editor keys its edits by node identity,
/// and two equal-looking nodes at different places must stay distinct.
/// </summary>
internal abstract class YamlNode(TextPosition start, TextPosition end, string? anchor, string? tag)
{
    public TextPosition Start { get; } = start;
    public TextPosition End { get; set; } = end;
    public string? Anchor { get; } = anchor;
    public string? Tag { get; } = tag;
}

internal sealed class YamlScalar(TextPosition start, TextPosition end, string? anchor, string? tag, string value, ScalarStyle style)
    : YamlNode(start, end, anchor, tag)
{
    public string Value { get; } = value;
    public ScalarStyle Style { get; } = style;
}

internal sealed class YamlAliasNode(TextPosition start, TextPosition end, string name) : YamlNode(start, end, null, null)
{
    public string Name { get; } = name;
}

internal sealed record YamlPair(YamlNode Key, YamlNode Value);

internal sealed class YamlMapping(TextPosition start, string? anchor, string? tag, bool flow) : YamlNode(start, start, anchor, tag)
{
    public bool Flow { get; } = flow;
    public List<YamlPair> Pairs { get; } = [];

    /// <summary>All pairs whose key is the plain scalar <paramref name="key"/> (more than one means a duplicate key).</summary>
    public IEnumerable<YamlPair> PairsNamed(string key) =>
        Pairs.Where(p => p.Key is YamlScalar { Value: var v } && v == key);

    public YamlPair? Pair(string key) => PairsNamed(key).FirstOrDefault();

    public YamlNode? Get(string key) => Pair(key)?.Value;
}

internal sealed class YamlSequence(TextPosition start, string? anchor, string? tag, bool flow) : YamlNode(start, start, anchor, tag)
{
    public bool Flow { get; } = flow;
    public List<YamlNode> Items { get; } = [];
}

/// <summary>Builds position-carrying node trees from YamlDotNet's event parser (one root per document).</summary>
internal static class YamlTree
{
    /// <summary>Parses every document of <paramref name="text"/> (which must not start with a BOM).</summary>
    public static IReadOnlyList<YamlNode> Parse(string path, string text)
    {
        var parser = new Parser(new StringReader(text));
        var documents = new List<YamlNode>();
        var open = new Stack<(YamlNode Node, YamlNode? PendingKey)>();
        var last = new TextPosition(0, 1, 1);
        try
        {
            while (parser.MoveNext())
            {
                var ev = parser.Current!;
                last = TextPosition.From(ev.End);
                switch (ev)
                {
                    case MappingStart m:
                        open.Push((new YamlMapping(TextPosition.From(m.Start), Name(m.Anchor), Tag(m.Tag), m.Style == MappingStyle.Flow), null));
                        break;
                    case SequenceStart s:
                        open.Push((new YamlSequence(TextPosition.From(s.Start), Name(s.Anchor), Tag(s.Tag), s.Style == SequenceStyle.Flow), null));
                        break;
                    case MappingEnd or SequenceEnd:
                        var closed = open.Pop().Node;
                        closed.End = EndOf(closed, TextPosition.From(ev.End), text);
                        Attach(closed);
                        break;
                    case Scalar sc:
                        Attach(new YamlScalar(TextPosition.From(sc.Start), TextPosition.From(sc.End), Name(sc.Anchor), Tag(sc.Tag), sc.Value, sc.Style));
                        break;
                    case AnchorAlias a:
                        Attach(new YamlAliasNode(TextPosition.From(a.Start), TextPosition.From(a.End), a.Value.Value));
                        break;
                }
            }
        }
        catch (YamlException e)
        {
            throw new RepoFileException(path, (int)e.Start.Line, (int)e.Start.Column, $"invalid YAML: {e.Message}");
        }
        catch (Exception e) when (e is InvalidOperationException or ArgumentException)
        {
            // YamlDotNet occasionally fails without a mark (e.g. an unclosed flow sequence); the last good event is the best hint.
            throw new RepoFileException(path, last.Line, last.Column, $"invalid YAML near here: {e.Message}");
        }
        return documents;

        void Attach(YamlNode node)
        {
            if (open.Count == 0)
            {
                documents.Add(node);
                return;
            }
            var (parent, pendingKey) = open.Pop();
            switch (parent)
            {
                case YamlSequence seq:
                    seq.Items.Add(node);
                    open.Push((parent, null));
                    break;
                case YamlMapping map when pendingKey is null:
                    open.Push((parent, node));
                    break;
                case YamlMapping map:
                    map.Pairs.Add(new YamlPair(pendingKey, node));
                    open.Push((parent, null));
                    break;
            }
        }
    }

    /// <summary>
    /// YamlDotNet marks a flow collection's end at its closing bracket; moving past the bracket makes End exclusive,
    /// like a scalar's, so text can be inserted after the collection.
    /// </summary>
    private static TextPosition EndOf(YamlNode node, TextPosition end, string text) =>
        (node is YamlMapping { Flow: true } or YamlSequence { Flow: true }) && end.Index < text.Length && (text[end.Index] is '}' or ']')
            ? end with { Index = end.Index + 1, Column = end.Column + 1 }
            : end;

    private static string? Name(AnchorName anchor) => anchor.IsEmpty ? null : anchor.Value;

    private static string? Tag(TagName tag) => tag.IsEmpty || tag.IsNonSpecific ? null : tag.Value;
}
