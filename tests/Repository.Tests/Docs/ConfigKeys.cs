using System.Text.Json;
using System.Text.RegularExpressions;
using Repository.Tests.Model;

namespace Repository.Tests.Docs;

/// <summary>
/// Configuration keys (<c>Section:Key</c>) the program reads, found statically in its source so the check survives
/// refactoring of how settings are read:
/// <list type="number">
/// <item>whole string literals shaped like a key, e.g. <c>config["GitHub:Owner"]</c>, <c>GetValue("Git:BaseBranch")</c>;</item>
/// <item>every leaf of <c>appsettings*.json</c> (nested objects become <c>Section:Key</c>);</item>
/// <item>options classes bound to a section: <c>BindConfiguration("S")</c>, <c>GetSection("S")</c> or
/// <c>GetRequiredSection("S")</c> in a statement that names a type argument <c>&lt;T&gt;</c> (e.g.
/// <c>AddOptions&lt;T&gt;().BindConfiguration("S")</c>, <c>Configure&lt;T&gt;(c.GetSection("S"))</c>,
/// <c>GetSection("S").Get&lt;T&gt;()</c>), or a class with <c>const string SectionName = "S"</c> (also <c>Section</c>):
/// each public property or positional record parameter P of T gives <c>S:P</c> (<c>S:P:Q</c> when P is itself an options
/// class declared in the source). The section may also be a
/// <c>Type.Constant</c> reference to such a const.</item>
/// </list>
/// Keys in documents are what code spans and code blocks write as <c>Section:Key</c>, <c>--Section:Key=…</c> or the
/// environment form <c>Section__Key</c>.
/// </summary>
public static partial class ConfigKeys
{
    /// <summary>Sections the .NET host itself reads; documents may name them and the program need not document them.</summary>
    public static readonly IReadOnlySet<string> FrameworkSections = new HashSet<string>(StringComparer.Ordinal) { "Logging", "Kestrel", "AllowedHosts" };

    public static IReadOnlySet<string> ReadBy(string projectDir)
    {
        var keys = new HashSet<string>(StringComparer.Ordinal);
        var sources = Directory.EnumerateFiles(projectDir, "*.cs", SearchOption.AllDirectories)
            .Where(f => !IsBuildOutput(projectDir, f))
            .Order(StringComparer.Ordinal)
            .Select(File.ReadAllText)
            .ToList();

        foreach (var text in sources)
        {
            foreach (Match m in KeyLiteral().Matches(text))
            {
                keys.Add(m.Groups["key"].Value);
            }
        }

        foreach (var json in Directory.EnumerateFiles(projectDir, "appsettings*.json", SearchOption.TopDirectoryOnly))
        {
            using var doc = JsonDocument.Parse(File.ReadAllText(json), new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
            AddLeaves(doc.RootElement, "", keys);
        }

        var all = string.Join('\n', sources);
        // String constants by "Type.Name", the type being the nearest class/record declared before the constant.
        var types = AnyTypeDeclaration().Matches(all).ToList();
        var constants = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (Match m in StringConstant().Matches(all))
        {
            var owner = types.LastOrDefault(t => t.Index < m.Index);
            if (owner is null)
            {
                continue;
            }

            var type = owner.Groups["type"].Value;
            constants[$"{type}.{m.Groups["name"].Value}"] = m.Groups["value"].Value;
            if (m.Groups["name"].Value is "SectionName" or "Section")
            {
                AddProperties(all, type, m.Groups["value"].Value, keys);
            }
        }

        foreach (var statement in all.Split(';'))
        {
            var section = SectionCall().Match(statement);
            var type = TypeArgument().Matches(statement).Select(t => t.Groups["type"].Value).FirstOrDefault(t => TypeDeclaration(t).IsMatch(all));
            if (!section.Success || type is null)
            {
                continue;
            }

            var name = section.Groups["literal"].Success ? section.Groups["literal"].Value : constants.GetValueOrDefault(section.Groups["constant"].Value);
            if (name is not null)
            {
                AddProperties(all, type, name, keys);
            }
        }

        return keys;
    }

    /// <summary>Keys the documents name, with where; environment-variable forms are turned into Section:Key.</summary>
    public static IEnumerable<(string File, int Line, string Key)> NamedIn(DocSet docs) =>
        docs.Files.Values
            .OrderBy(f => f.RelativePath, StringComparer.Ordinal)
            .SelectMany(f => f.Code.SelectMany(c => DocumentedKey().Matches(c.Text)
                .Select(m => (f.RelativePath, c.Line, m.Value.Replace("__", ":", StringComparison.Ordinal)))));

    public static IEnumerable<Violation> Check(DocSet docs, IReadOnlySet<string> programKeys, string programName)
    {
        var named = NamedIn(docs).ToList();
        foreach (var (file, line, key) in named)
        {
            if (!programKeys.Contains(key) && !FrameworkSections.Contains(key.Split(':')[0]))
            {
                var near = programKeys.Where(k => k.Split(':')[0] == key.Split(':')[0]).Order(StringComparer.Ordinal).ToList();
                yield return new Violation(new Origin(file, line), $"configuration key {key}",
                    $"{programName} does not read this key" + (near.Count > 0 ? $" (it reads {string.Join(", ", near)})" : ""));
            }
        }

        foreach (var key in programKeys.Where(k => !FrameworkSections.Contains(k.Split(':')[0])).Order(StringComparer.Ordinal))
        {
            if (!named.Any(n => n.Key == key))
            {
                yield return new Violation(new Origin(programName), $"configuration key {key}", "is read by the program but no document names it");
            }
        }
    }

    private static void AddLeaves(JsonElement element, string prefix, HashSet<string> keys)
    {
        if (element.ValueKind == JsonValueKind.Object)
        {
            foreach (var property in element.EnumerateObject())
            {
                AddLeaves(property.Value, prefix.Length == 0 ? property.Name : $"{prefix}:{property.Name}", keys);
            }
        }
        else if (prefix.Contains(':', StringComparison.Ordinal))
        {
            keys.Add(prefix);
        }
    }

    /// <summary>S:P for each bindable member P of <paramref name="type"/>; a member whose type is itself declared in the
    /// source (a nested options class) gives S:P:Q instead.</summary>
    private static void AddProperties(string source, string type, string section, HashSet<string> keys, int depth = 0)
    {
        var declaration = TypeDeclaration(type).Match(source);
        if (!declaration.Success || depth > 3)
        {
            return;
        }

        var members = new List<(string Type, string Name)>();
        if (declaration.Groups["parameters"].Success)
        {
            members.AddRange(PositionalParameter().Matches(declaration.Groups["parameters"].Value).Select(p => (p.Groups["type"].Value, p.Groups["name"].Value)));
        }

        members.AddRange(Property().Matches(Body(source, declaration.Index + declaration.Length)).Select(p => (p.Groups["type"].Value, p.Groups["name"].Value)));
        foreach (var (memberType, name) in members)
        {
            var nested = memberType.TrimEnd('?');
            if (nested != type && TypeDeclaration(nested).IsMatch(source) && !nested.EndsWith("Exception", StringComparison.Ordinal))
            {
                AddProperties(source, nested, $"{section}:{name}", keys, depth + 1);
            }
            else
            {
                keys.Add($"{section}:{name}");
            }
        }
    }

    /// <summary>The text between the first '{' after <paramref name="from"/> and its matching '}' (empty for a ';' record).</summary>
    private static string Body(string source, int from)
    {
        var open = source.IndexOf('{', from);
        var semicolon = source.IndexOf(';', from);
        if (open < 0 || (semicolon >= 0 && semicolon < open))
        {
            return "";
        }

        var depth = 0;
        for (var i = open; i < source.Length; i++)
        {
            depth += source[i] switch { '{' => 1, '}' => -1, _ => 0 };
            if (depth == 0)
            {
                return source[(open + 1)..i];
            }
        }

        return source[(open + 1)..];
    }

    private static bool IsBuildOutput(string projectDir, string file)
    {
        var relative = Path.GetRelativePath(projectDir, file).Replace('\\', '/');
        return relative.StartsWith("bin/", StringComparison.Ordinal) || relative.StartsWith("obj/", StringComparison.Ordinal);
    }

    private static Regex TypeDeclaration(string type) =>
        new($@"\b(?:class|record(?:\s+class)?)\s+{Regex.Escape(type)}\b(?:\s*\((?<parameters>[^)]*)\))?");

    [GeneratedRegex(@"""(?<key>[A-Z][A-Za-z0-9]*(?::[A-Z][A-Za-z0-9]*)+)""")]
    private static partial Regex KeyLiteral();

    [GeneratedRegex(@"(?<![A-Za-z0-9_/.:])[A-Z][A-Za-z0-9]*(?:(?::|__)[A-Z][A-Za-z0-9]*)+(?![A-Za-z0-9_/(-])")]
    private static partial Regex DocumentedKey();

    [GeneratedRegex(@"\b(?:class|record(?:\s+class)?|struct)\s+(?<type>[A-Z]\w*)")]
    private static partial Regex AnyTypeDeclaration();

    [GeneratedRegex(@"const\s+string\s+(?<name>\w+)\s*=\s*""(?<value>[^""]+)""")]
    private static partial Regex StringConstant();

    [GeneratedRegex(@"(?:BindConfiguration|GetSection|GetRequiredSection)\(\s*(?:""(?<literal>[^""]+)""|(?<constant>\w+\.\w+))\s*\)")]
    private static partial Regex SectionCall();

    [GeneratedRegex(@"<\s*(?<type>[A-Z]\w*)\s*>")]
    private static partial Regex TypeArgument();

    [GeneratedRegex(@"public\s+(?:required\s+)?(?<type>[\w<>\[\]?,. ]+?)\s+(?<name>[A-Z]\w*)\s*\{\s*get;\s*(?:set|init);")]
    private static partial Regex Property();

    [GeneratedRegex(@"(?:^|,)\s*(?:\[[^\]]*\]\s*)*(?<type>[\w<>\[\]?.]+(?:<[^>]*>)?\??)\s+(?<name>[A-Z]\w*)\s*(?:=\s*[^,]+)?")]
    private static partial Regex PositionalParameter();
}
