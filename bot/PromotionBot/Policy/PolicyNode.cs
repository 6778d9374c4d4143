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

    /// <summary>Typed as the schema types it (YAML 1.2 core: a plain 12 is a number, "12" a string).</summary>
    private System.Text.Json.JsonValueKind Kind =>
        Node is YamlScalarNode scalar ? PolicySchema.Scalar(scalar)?.GetValueKind() ?? System.Text.Json.JsonValueKind.Null : System.Text.Json.JsonValueKind.Object;

    public PolicyNode RequiredString(string key)
    {
        var child = Required(key);
        if (child.Kind != System.Text.Json.JsonValueKind.String || string.IsNullOrWhiteSpace(child.Value))
        {
            throw child.Error(child.Node is YamlScalarNode && child.Value.Length > 0 ? $"expected a string, got '{child.Value}' (quote it)" : "expected a non-empty string");
        }

        return child;
    }

    /// <summary>Absent is null; present must be a non-empty string (an empty value is a mistake, not "use the default").</summary>
    public PolicyNode? OptionalString(string key) => Child(key) is null ? null : RequiredString(key);

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

    /// <summary>A YAML number with an integral value (1e3 is 1000, as JSON Schema's "integer" says).</summary>
    public int AsInt() =>
        Kind == System.Text.Json.JsonValueKind.Number && double.TryParse(Value, NumberStyles.Float, CultureInfo.InvariantCulture, out var v)
            && v == Math.Floor(v) && v is >= int.MinValue and <= int.MaxValue
            ? (int)v
            : throw Error($"expected an integer, got '{Value}'");

    public int? OptionalInt(string key) => Child(key)?.AsInt();

    public double? OptionalDouble(string key)
    {
        var child = Child(key);
        if (child is null)
        {
            return null;
        }

        return child.Kind == System.Text.Json.JsonValueKind.Number && double.TryParse(child.Value, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) && double.IsFinite(v)
            ? v
            : throw child.Error($"expected a number, got '{child.Value}'");
    }

    public bool? OptionalBool(string key)
    {
        var child = Child(key);
        return child is null
            ? null
            : child.Kind switch
            {
                System.Text.Json.JsonValueKind.True => true,
                System.Text.Json.JsonValueKind.False => false,
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

        return child.Kind == System.Text.Json.JsonValueKind.String && Durations.TryParse(child.Value, out var d) && d > TimeSpan.Zero
            ? d
            : throw child.Error($"expected a positive duration like 30s, 5m or 1h, got '{child.Value}'");
    }
}
