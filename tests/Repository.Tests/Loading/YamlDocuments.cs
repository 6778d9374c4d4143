using Repository.Tests.Model;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Repository.Tests.Loading;

/// <summary>Parses YAML streams into Kubernetes objects that remember their file and line.</summary>
public static class YamlDocuments
{
    /// <summary>Root mappings of every document in the stream; a parse error names the file and line.</summary>
    public static IReadOnlyList<YamlMappingNode> Parse(string text, string file)
    {
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(text));
        }
        catch (YamlException e)
        {
            throw new InvalidDataException($"{file}:{e.Start.Line}: invalid YAML: {e.InnerException?.Message ?? e.Message}", e);
        }
        catch (InvalidOperationException e)
        {
            // YamlDotNet's scanner throws this (without a position) on some malformed flow collections.
            throw new InvalidDataException($"{file}: invalid YAML: {e.Message}", e);
        }
        return stream.Documents.Select(d => d.RootNode).OfType<YamlMappingNode>().ToList();
    }

    /// <summary>Every document with apiVersion, kind and metadata.name, as objects located at file:line.</summary>
    public static IReadOnlyList<K8sObject> Objects(string text, string file, string? defaultNamespace = null, bool withLines = true) =>
        Parse(text, file)
            .Select(root => ToObject(root, withLines ? new Origin(file, root.Line()) : new Origin(file), defaultNamespace))
            .OfType<K8sObject>()
            .ToList();

    public static IReadOnlyList<K8sObject> ObjectsInFile(string fullPath, string root, string? defaultNamespace = null) =>
        Objects(File.ReadAllText(fullPath), RepoRoot.Relative(fullPath, root), defaultNamespace);

    private static K8sObject? ToObject(YamlMappingNode root, Origin origin, string? defaultNamespace)
    {
        var apiVersion = root.Str("apiVersion");
        var kind = root.Str("kind");
        var name = root.Str("metadata", "name") ?? root.Str("metadata", "generateName");
        if (apiVersion is null || kind is null || name is null)
        {
            return null;
        }
        var ns = root.Str("metadata", "namespace") ?? defaultNamespace ?? "default";
        return new K8sObject(apiVersion, kind, ns, name, root, origin);
    }
}
