using Repository.Tests.Model;
using YamlDotNet.RepresentationModel;

namespace Repository.Tests.Loading;

/// <summary>A reference from a kustomization to something it builds on (resources, components, bases).</summary>
public sealed record LayerReference(string Field, string Value, int Line)
{
    /// <summary>Remote targets need network at render time: URLs and kustomize's scheme-less git forms.</summary>
    public bool IsRemote =>
        Value.Contains("://", StringComparison.Ordinal)
        || Value.StartsWith("git@", StringComparison.Ordinal)
        || Value.StartsWith("git::", StringComparison.Ordinal)
        || Value.StartsWith("github.com/", StringComparison.Ordinal)
        || Value.StartsWith("gitlab.com/", StringComparison.Ordinal)
        || Value.StartsWith("bitbucket.org/", StringComparison.Ordinal);
}

/// <summary>One parsed kustomization.yaml: what it references and which Helm charts it inflates.</summary>
public sealed record Kustomization(string Root, string Directory, string File, YamlMappingNode Body)
{
    public static readonly IReadOnlySet<string> FileNames =
        new HashSet<string>(StringComparer.Ordinal) { "kustomization.yaml", "kustomization.yml", "Kustomization" };

    /// <summary>Repository-relative path of the file, e.g. "apps/ecommerce/base/kustomization.yaml".</summary>
    public string RelativeFile => RepoRoot.Relative(File, Root);

    public string RelativeDirectory => RepoRoot.Relative(Directory, Root);

    public bool IsComponent => Body.Str("kind") == "Component";

    public IReadOnlyList<YamlMappingNode> HelmCharts => Body.Seq("helmCharts").OfType<YamlMappingNode>().ToList();

    public IReadOnlyList<LayerReference> References =>
        new[] { "resources", "components", "bases" }
            .SelectMany(key => Body.Seq(key).OfType<YamlScalarNode>()
                .Where(s => s.Value is not null)
                .Select(s => new LayerReference(key, s.Value!, s.Line())))
            .ToList();

    /// <summary>Local directories referenced (each holds another kustomization).</summary>
    public IEnumerable<string> LocalDirectories =>
        References.Where(r => !r.IsRemote)
            .Select(r => Path.GetFullPath(Path.Combine(Directory, r.Value)))
            .Where(System.IO.Directory.Exists);

    /// <summary>Local files listed as resources (plain manifests).</summary>
    public IEnumerable<(LayerReference Reference, string FullPath)> LocalFiles =>
        References.Where(r => !r.IsRemote)
            .Select(r => (r, Path.GetFullPath(Path.Combine(Directory, r.Value))))
            .Where(x => System.IO.File.Exists(x.Item2));

    public static Kustomization? Load(string directory, string root)
    {
        var file = FileNames.Select(n => Path.Combine(directory, n)).FirstOrDefault(System.IO.File.Exists);
        if (file is null)
        {
            return null;
        }
        var docs = YamlDocuments.Parse(System.IO.File.ReadAllText(file), RepoRoot.Relative(file, root));
        var body = docs.Count > 0 ? docs[0] : new YamlMappingNode();
        return new Kustomization(root, Path.GetFullPath(directory), file, body);
    }
}
