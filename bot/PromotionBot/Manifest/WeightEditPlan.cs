using System.Globalization;
using YamlDotNet.Core;

namespace PromotionBot.Manifest;

/// <summary>
/// The edits that set new weights on a located route: text splices for the file, plus the same change expressed on the
/// parsed model (scalar values replaced, weight keys appended) so the result can be verified structurally.
/// </summary>
internal sealed class WeightEditPlan
{
    public List<TextSplice> Splices { get; } = [];

    /// <summary>Weight scalars whose value changes, by node identity.</summary>
    public Dictionary<YamlNode, string> NewScalarValues { get; } = new(ReferenceEqualityComparer.Instance);

    /// <summary>Route entries that gain a <c>weight:</c> key as their last pair, by node identity.</summary>
    public Dictionary<YamlNode, string> AppendedWeights { get; } = new(ReferenceEqualityComparer.Instance);

    /// <param name="text">The parsed text (BOM already removed), into which splice indexes point.</param>
    public static WeightEditPlan Create(string path, string text, LocatedRoute route, IReadOnlyDictionary<int, int> newWeights)
    {
        var plan = new WeightEditPlan();
        for (var i = 0; i < route.Destinations.Count; i++)
        {
            var destination = route.Destinations[i];
            var weight = newWeights[i];
            if (weight == destination.Weight)
            {
                continue;
            }
            var value = weight.ToString(CultureInfo.InvariantCulture);
            if (destination.WeightNode is { } node)
            {
                plan.Splices.Add(ReplaceScalar(path, text, node, value));
                plan.NewScalarValues[node] = value;
            }
            else
            {
                plan.Splices.Add(InsertWeight(path, text, destination, value));
                plan.AppendedWeights[destination.Item] = value;
            }
        }
        return plan;
    }

    private static TextSplice ReplaceScalar(string path, string text, YamlScalar node, string value)
    {
        // A plain single-line scalar's source is its value; the node's span may also cover a tag (`!!int 80`), so the
        // value is located back from the end to leave the tag alone.
        var start = node.End.Index - node.Value.Length;
        if (start < node.Start.Index || string.CompareOrdinal(text, start, node.Value, 0, node.Value.Length) != 0)
        {
            throw VirtualServiceLocator.Error(path, node, $"cannot locate the text of weight '{node.Value}' to edit it");
        }
        return new TextSplice(start, node.Value.Length, value);
    }

    private static TextSplice InsertWeight(string path, string text, LocatedDestination destination, string value)
    {
        var item = destination.Item;
        var last = LastContent(item);
        if (last is YamlScalar { Style: ScalarStyle.Literal or ScalarStyle.Folded })
        {
            throw VirtualServiceLocator.Error(path, item,
                $"cannot insert a weight for subset '{destination.Subset}' after a block scalar; add `weight:` by hand");
        }
        if (item.Flow)
        {
            // `{destination: {...}}` → `{destination: {...}, weight: N}`
            return new TextSplice(item.Pairs[^1].Value.End.Index, 0, $", weight: {value}");
        }
        // Block mapping: a new line after the entry's last line, aligned with its sibling `destination:` key.
        var indent = new string(' ', destination.DestinationKey.Start.Column - 1);
        var newline = text.IndexOf('\n', last.End.Index);
        if (newline < 0)
        {
            return new TextSplice(text.Length, 0, $"{LineEnding(text)}{indent}weight: {value}");
        }
        var eol = newline > 0 && text[newline - 1] == '\r' ? "\r\n" : "\n";
        return new TextSplice(newline + 1, 0, $"{indent}weight: {value}{eol}");
    }

    /// <summary>The node whose end is the last character of a block node's content (block collections end at the next token).</summary>
    private static YamlNode LastContent(YamlNode node) => node switch
    {
        YamlMapping { Flow: false, Pairs.Count: > 0 } map => LastContent(map.Pairs[^1].Value),
        YamlSequence { Flow: false, Items.Count: > 0 } seq => LastContent(seq.Items[^1]),
        _ => node,
    };

    private static string LineEnding(string text)
    {
        var newline = text.IndexOf('\n', StringComparison.Ordinal);
        return newline > 0 && text[newline - 1] == '\r' ? "\r\n" : "\n";
    }
}
