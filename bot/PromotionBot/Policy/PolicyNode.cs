using System.Globalization;
using YamlDotNet.RepresentationModel;

namespace PromotionBot.Policy;

/// <summary>A YAML node of a policy file that knows where it is, so every problem names file, line and key.</summary>
internal sealed class PolicyNode(string file, YamlNode node, string path)
{
    public YamlNode Node { get; } = node;

    public string Value => Node is YamlScalarNode s ? s.Value ?? "" : "";

    public RepoFileException Error(string problem) =>
        new(file, (int)Node.Start.Line, (int)Node.Start.Column, path.Length == 0 ? problem : $"{path}: {problem}");

    public PolicyNode? Child(string key)
    {
        if (Node is not YamlMappingNode map)
        {
            throw Error("expected a mapping");
        }

        foreach (var (k, v) in map.Children)
        {
            if (k is YamlScalarNode { Value: var name } && name == key)
            {
                return new PolicyNode(file, v, path.Length == 0 ? key : $"{path}.{key}");
            }
        }

        return null;
    }

    public PolicyNode Required(string key) =>
        Child(key) ?? throw Error($"missing required field '{(path.Length == 0 ? key : $"{path}.{key}")}'");

    public PolicyNode RequiredString(string key)
    {
        var child = Required(key);
        if (child.Node is not YamlScalarNode || string.IsNullOrWhiteSpace(child.Value))
        {
            throw child.Error("expected a non-empty string");
        }

        return child;
    }

    public PolicyNode? OptionalString(string key)
    {
        var child = Child(key);
        if (child is null || (child.Node is YamlScalarNode && child.Value.Length == 0))
        {
            return null;
        }

        return child.Node is YamlScalarNode ? child : throw child.Error("expected a string");
    }

    public PolicyNode RequiredMap(string key)
    {
        var child = Required(key);
        return child.Node is YamlMappingNode ? child : throw child.Error("expected a mapping");
    }

    public PolicyNode? OptionalMap(string key)
    {
        var child = Child(key);
        return child is null || child.Node is YamlMappingNode ? child : throw child.Error("expected a mapping");
    }

    public PolicyNode RequiredSequence(string key)
    {
        var child = Required(key);
        return child.Node is YamlSequenceNode ? child : throw child.Error("expected a list");
    }

    public IEnumerable<PolicyNode> Items() =>
        ((YamlSequenceNode)Node).Children.Select((n, i) => new PolicyNode(file, n, $"{path}[{i}]"));

    public int AsInt() =>
        Node is YamlScalarNode && int.TryParse(Value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var v)
            ? v
            : throw Error($"expected an integer, got '{Value}'");

    public int? OptionalInt(string key) => Child(key)?.AsInt();

    public double? OptionalDouble(string key)
    {
        var child = Child(key);
        if (child is null)
        {
            return null;
        }

        return child.Node is YamlScalarNode && double.TryParse(child.Value, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) && double.IsFinite(v)
            ? v
            : throw child.Error($"expected a number, got '{child.Value}'");
    }

    public bool? OptionalBool(string key)
    {
        var child = Child(key);
        return child is null
            ? null
            : child.Value switch
            {
                "true" => true,
                "false" => false,
                _ => throw child.Error($"expected true or false, got '{child.Value}'"),
            };
    }

    public TimeSpan? OptionalDuration(string key)
    {
        var child = Child(key);
        if (child is null)
        {
            return null;
        }

        return Durations.TryParse(child.Value, out var d) && d > TimeSpan.Zero
            ? d
            : throw child.Error($"expected a positive duration like 30s, 5m or 1h, got '{child.Value}'");
    }
}
