using System.Text;
using Repository.Tests.Model;
using YamlDotNet.RepresentationModel;

namespace Repository.Tests.Invariants;

/// <summary>
/// An object that several entry points of one cluster render (e.g. an AppProject both the bootstrap and the synced
/// layer carry) must be defined identically, or its owners overwrite each other on every sync.
/// </summary>
public static class SingleDefinition
{
    public static IEnumerable<Violation> Check(IReadOnlyList<K8sObject> objects)
    {
        foreach (var group in objects.GroupBy(o => (o.Group, o.Kind, o.Namespace, o.Name)))
        {
            var first = group.First();
            foreach (var other in group.Skip(1))
            {
                if (Canonical(other.Body) != Canonical(first.Body))
                {
                    yield return other.Violation($"is also defined, differently, by {first.Origin}: the two would overwrite each other");
                }
            }
        }
    }

    /// <summary>Order-insensitive text of a node (mapping keys sorted), so equal content compares equal.</summary>
    public static string Canonical(YamlNode node)
    {
        var text = new StringBuilder();
        Write(node, text);
        return text.ToString();
    }

    private static void Write(YamlNode node, StringBuilder text)
    {
        switch (node)
        {
            case YamlMappingNode map:
                text.Append('{');
                foreach (var (key, value) in map.Children.OrderBy(c => c.Key.ToString(), StringComparer.Ordinal))
                {
                    text.Append(key).Append(':');
                    Write(value, text);
                    text.Append(',');
                }
                text.Append('}');
                break;
            case YamlSequenceNode seq:
                text.Append('[');
                foreach (var item in seq.Children)
                {
                    Write(item, text);
                    text.Append(',');
                }
                text.Append(']');
                break;
            case YamlScalarNode scalar:
                text.Append('"').Append(scalar.Value).Append('"');
                break;
        }
    }
}
