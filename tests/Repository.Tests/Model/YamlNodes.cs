using YamlDotNet.RepresentationModel;

namespace Repository.Tests.Model;

/// <summary>Null-tolerant navigation over YamlDotNet's representation model, so invariants read like field paths.</summary>
public static class YamlNodes
{
    public static YamlNode? Get(this YamlNode? node, params string[] path)
    {
        var current = node;
        foreach (var key in path)
        {
            if (current is not YamlMappingNode map || !map.Children.TryGetValue(new YamlScalarNode(key), out var next))
            {
                return null;
            }
            current = next;
        }
        return current;
    }

    public static string? Str(this YamlNode? node, params string[] path) =>
        node.Get(path) is YamlScalarNode { Value: { } value } && !IsNull(value) ? value : null;

    public static YamlMappingNode? Map(this YamlNode? node, params string[] path) => node.Get(path) as YamlMappingNode;

    public static IReadOnlyList<YamlNode> Seq(this YamlNode? node, params string[] path) =>
        node.Get(path) is YamlSequenceNode seq ? seq.Children.ToList() : [];

    public static IEnumerable<string> Strings(this YamlNode? node, params string[] path) =>
        node.Seq(path).OfType<YamlScalarNode>().Select(s => s.Value).OfType<string>();

    /// <summary>A string-to-string map such as labels or a selector; non-scalar values are skipped.</summary>
    public static IReadOnlyDictionary<string, string> StringMap(this YamlNode? node, params string[] path)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        if (node.Get(path) is YamlMappingNode map)
        {
            foreach (var (key, value) in map.Children)
            {
                if (key is YamlScalarNode { Value: { } k } && value is YamlScalarNode { Value: { } v })
                {
                    result[k] = v;
                }
            }
        }
        return result;
    }

    /// <summary>True when the node holds content (a non-empty map/sequence or a non-null scalar).</summary>
    public static bool HasContent(this YamlNode? node) => node switch
    {
        YamlMappingNode map => map.Children.Count > 0,
        YamlSequenceNode seq => seq.Children.Count > 0,
        YamlScalarNode scalar => scalar.Value is { } v && !IsNull(v) && v.Length > 0,
        _ => false,
    };

    /// <summary>1-based line where the node starts in its document stream.</summary>
    public static int Line(this YamlNode node) => (int)node.Start.Line;

    private static bool IsNull(string value) =>
        value is "~" or "null" or "Null" or "NULL";
}
