using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Json.Schema;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace PromotionBot.Policy;

/// <summary>
/// The JSON Schema of <c>promotion-policy.yaml</c> (embedded <c>promotion-policy.schema.json</c>, the same file editors
/// and CI use): the one list of known keys, their defaults, types and ranges. The loader checks every policy against it.
/// </summary>
public static partial class PolicySchema
{
    /// <summary>Repository path of the schema, for the <c>yaml-language-server</c> modeline and CI.</summary>
    public const string RepositoryPath = "bot/PromotionBot/Policy/promotion-policy.schema.json";

    /// <summary>A policy never needs more; far more means aliases fanning out (a "billion laughs" file).</summary>
    private const int MaxNodes = 10_000;

    private static readonly Lazy<(string Text, JsonElement Root, JsonSchema Schema)> Loaded = new(Load);

    /// <summary>The schema's text, exactly as shipped.</summary>
    public static string Text => Loaded.Value.Text;

    /// <summary>The <c>default</c> of the field at <paramref name="path"/> (e.g. spec, analysis, window).</summary>
    public static JsonElement Default(params string[] path) =>
        Resolve(path) is { } node && node.TryGetProperty("default", out var value)
            ? value
            : throw new InvalidOperationException($"the policy schema has no default for {string.Join('.', path)}");

    /// <summary>Rejects a key the schema does not know, at the key's line and column, naming the nearest known key.</summary>
    internal static void RejectUnknownKeys(string file, YamlNode root)
    {
        var nodes = 0;
        Walk(root, Loaded.Value.Root, "");

        void Walk(YamlNode yaml, JsonElement schema, string path)
        {
            if (++nodes > MaxNodes)
            {
                throw new RepoFileException(file, (int)yaml.Start.Line, (int)yaml.Start.Column, $"more than {MaxNodes:N0} YAML nodes: not a promotion policy");
            }

            schema = Deref(schema);
            if (yaml is not YamlMappingNode map || !schema.TryGetProperty("properties", out var properties))
            {
                return;
            }

            var closed = schema.TryGetProperty("additionalProperties", out var additional) && additional.ValueKind == JsonValueKind.False;
            foreach (var (key, value) in map.Children)
            {
                var name = (key as YamlScalarNode)?.Value ?? "";
                if (properties.TryGetProperty(name, out var child))
                {
                    Walk(value, child, path.Length == 0 ? name : $"{path}.{name}");
                }
                else if (closed)
                {
                    var known = properties.EnumerateObject().Select(p => p.Name).ToList();
                    var where = path.Length == 0 ? "at the top level" : $"in {path}";
                    var hint = Nearest(name, known) is { } near ? $"did you mean '{near}'?" : $"known fields: {string.Join(", ", known)}";
                    throw new RepoFileException(file, (int)key.Start.Line, (int)key.Start.Column,
                        $"unknown field '{PolicyLoader.Printable(name)}' {where} ({hint})");
                }
            }
        }
    }

    /// <summary>Validates the document against the schema; the first problem is reported at its node's line and column.</summary>
    internal static void Validate(string file, YamlNode root)
    {
        var marks = new Dictionary<string, Mark>(StringComparer.Ordinal);
        var json = ToJson(file, root, "", marks, new int[1]);
        using var document = JsonDocument.Parse(json?.ToJsonString() ?? "null");
        var result = Loaded.Value.Schema.Evaluate(document.RootElement, new EvaluationOptions { OutputFormat = OutputFormat.List });
        if (result.IsValid)
        {
            return;
        }

        // Inside "not", a failing subschema is what makes the value valid: those details are not problems.
        var failure = (result.Details ?? [result])
            .Where(d => !d.IsValid && d.Errors is { Count: > 0 } && !d.EvaluationPath.ToString().Contains("/not", StringComparison.Ordinal))
            .OrderByDescending(d => d.InstanceLocation.ToString().Length)
            .FirstOrDefault() ?? result;
        var pointer = failure.InstanceLocation.ToString();
        var mark = marks.GetValueOrDefault(pointer, root.Start);
        var message = failure.Errors?.Values.FirstOrDefault() ?? "does not match the schema";
        var path = pointer.Length == 0 ? "" : string.Join('.', pointer.TrimStart('/').Split('/').Select(Unescape)) + ": ";
        throw new RepoFileException(file, (int)mark.Line, (int)mark.Column, $"{path}{message} (schema: {RepositoryPath})");
    }

    /// <summary>YAML → JSON with the YAML 1.2 core types the loader accepts (quoted scalars stay strings).</summary>
    private static JsonNode? ToJson(string file, YamlNode node, string pointer, Dictionary<string, Mark> marks, int[] count)
    {
        if (++count[0] > MaxNodes)
        {
            throw new RepoFileException(file, (int)node.Start.Line, (int)node.Start.Column, $"more than {MaxNodes:N0} YAML nodes: not a promotion policy");
        }

        marks[pointer] = node.Start;
        switch (node)
        {
            case YamlMappingNode map:
                var obj = new JsonObject();
                foreach (var (key, value) in map.Children)
                {
                    var name = (key as YamlScalarNode)?.Value ?? "";
                    obj[name] = ToJson(file, value, $"{pointer}/{Escape(name)}", marks, count);
                }

                return obj;
            case YamlSequenceNode seq:
                var array = new JsonArray();
                for (var i = 0; i < seq.Children.Count; i++)
                {
                    array.Add(ToJson(file, seq.Children[i], $"{pointer}/{i}", marks, count));
                }

                return array;
            case YamlScalarNode scalar:
                return Scalar(scalar);
            default:
                return null;
        }
    }

    /// <summary>The JSON value of a YAML scalar: the one typing rule that the loader's checks and the schema share.</summary>
    internal static JsonNode? Scalar(YamlScalarNode scalar)
    {
        var text = scalar.Value ?? "";
        if (scalar.Style != YamlDotNet.Core.ScalarStyle.Plain || (!scalar.Tag.IsEmpty && !scalar.Tag.IsNonSpecific && scalar.Tag.Value == "tag:yaml.org,2002:str"))
        {
            return JsonValue.Create(text);
        }

        if (text is "" or "~" or "null")
        {
            return null;
        }

        if (text is "true" or "false")
        {
            return JsonValue.Create(text == "true");
        }

        if (IntegerPattern().IsMatch(text) && long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var integer))
        {
            return JsonValue.Create(integer);
        }

        if (FloatPattern().IsMatch(text) && double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var number) && double.IsFinite(number))
        {
            return JsonValue.Create(number);
        }

        return JsonValue.Create(text);
    }

    [GeneratedRegex("^[-+]?[0-9]+$")]
    private static partial Regex IntegerPattern();

    [GeneratedRegex(@"^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$")]
    private static partial Regex FloatPattern();

    private static JsonElement? Resolve(IEnumerable<string> path)
    {
        var node = Loaded.Value.Root;
        foreach (var key in path)
        {
            if (!Deref(node).TryGetProperty("properties", out var properties) || !properties.TryGetProperty(key, out node))
            {
                return null;
            }
        }

        return node;
    }

    /// <summary>Follows a local "$ref": "#/$defs/x" (the only kind the schema uses).</summary>
    private static JsonElement Deref(JsonElement node)
    {
        if (node.ValueKind == JsonValueKind.Object && node.TryGetProperty("$ref", out var reference) && reference.GetString() is { } target
            && target.StartsWith("#/$defs/", StringComparison.Ordinal)
            && Loaded.Value.Root.GetProperty("$defs").TryGetProperty(target["#/$defs/".Length..], out var resolved))
        {
            return resolved;
        }

        return node;
    }

    /// <summary>The known key closest to a typo (edit distance at most 1 per 3 characters, at least 2), if any.</summary>
    internal static string? Nearest(string name, IEnumerable<string> known)
    {
        var best = known
            .Select(k => (Key: k, Distance: Distance(name.ToLowerInvariant(), k.ToLowerInvariant())))
            .OrderBy(k => k.Distance).ThenBy(k => k.Key, StringComparer.Ordinal)
            .FirstOrDefault();
        return best.Key is not null && best.Distance <= Math.Max(2, name.Length / 3) ? best.Key : null;
    }

    private static int Distance(string a, string b)
    {
        if (a.Length > 200 || b.Length > 200)
        {
            return int.MaxValue;
        }

        var previous = Enumerable.Range(0, b.Length + 1).ToArray();
        for (var i = 1; i <= a.Length; i++)
        {
            var current = new int[b.Length + 1];
            current[0] = i;
            for (var j = 1; j <= b.Length; j++)
            {
                current[j] = Math.Min(Math.Min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1));
            }

            previous = current;
        }

        return previous[b.Length];
    }

    private static string Escape(string key) => key.Replace("~", "~0", StringComparison.Ordinal).Replace("/", "~1", StringComparison.Ordinal);

    private static string Unescape(string segment) => segment.Replace("~1", "/", StringComparison.Ordinal).Replace("~0", "~", StringComparison.Ordinal);

    private static (string, JsonElement, JsonSchema) Load()
    {
        using var stream = typeof(PolicySchema).Assembly.GetManifestResourceStream("PromotionBot.Policy.promotion-policy.schema.json")
            ?? throw new InvalidOperationException("the policy schema is not embedded in the assembly");
        using var reader = new StreamReader(stream);
        var text = reader.ReadToEnd();
        using var document = JsonDocument.Parse(text);
        return (text, document.RootElement.Clone(), JsonSchema.FromText(text));
    }
}
