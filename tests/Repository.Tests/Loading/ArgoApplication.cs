using System.Text.RegularExpressions;
using Repository.Tests.Model;
using YamlDotNet.RepresentationModel;

namespace Repository.Tests.Loading;

/// <summary>One source of an Argo CD Application (spec.source or an entry of spec.sources).</summary>
public sealed record AppSource(string? RepoUrl, string? Path, string? Chart, string? TargetRevision, YamlNode Node);

/// <summary>
/// An Argo CD Application as it will exist in the cluster: either a rendered/committed Application object, or one an
/// ApplicationSet's git directory generator produces (then <see cref="Manifest"/> is the ApplicationSet).
/// </summary>
public sealed partial record ArgoApplication(string Name, K8sObject Manifest, IReadOnlyList<AppSource> Sources, string? DestinationNamespace)
{
    /// <summary>"Application argocd/ecommerce", or "ApplicationSet argocd/x → app-name" for generated ones.</summary>
    public string Display => Manifest.Kind == "Application" ? Manifest.Display : $"{Manifest.Display} → {Name}";

    public Violation Violation(YamlNode at, string message) => Manifest.Violation(at, message) with { Subject = Display };

    public bool ManagesNamespaceWithLabel(string key, string value) =>
        Manifest.Kind == "Application" && Manifest.Body.StringMap("spec", "syncPolicy", "managedNamespaceMetadata", "labels").TryGetValue(key, out var v) && v == value;

    public static IEnumerable<ArgoApplication> From(K8sObject obj, IReadOnlyList<string> repositoryDirectories) =>
        obj switch
        {
            { Group: "argoproj.io", Kind: "Application" } => [FromSpec(obj.Name, obj, obj.Spec)],
            { Group: "argoproj.io", Kind: "ApplicationSet" } => FromApplicationSet(obj, repositoryDirectories),
            _ => [],
        };

    private static ArgoApplication FromSpec(string name, K8sObject obj, YamlNode? spec)
    {
        var sources = new List<AppSource>();
        if (spec.Map("source") is { } single)
        {
            sources.Add(ToSource(single));
        }
        sources.AddRange(spec.Seq("sources").OfType<YamlMappingNode>().Select(ToSource));
        return new ArgoApplication(name, obj, sources, spec.Str("destination", "namespace"));
    }

    private static AppSource ToSource(YamlMappingNode s) =>
        new(s.Str("repoURL"), s.Str("path"), s.Str("chart"), s.Str("targetRevision"), s);

    /// <summary>Expands git directory generators (top level or inside matrix/merge) against the repository's folders.</summary>
    private static IEnumerable<ArgoApplication> FromApplicationSet(K8sObject set, IReadOnlyList<string> repositoryDirectories)
    {
        var template = set.Body.Map("spec", "template");
        foreach (var git in GitGenerators(set.Body.Seq("spec", "generators")))
        {
            var includes = git.Seq("directories").OfType<YamlMappingNode>().Where(d => d.Str("exclude") != "true").Select(d => d.Str("path")).OfType<string>().ToList();
            var excludes = git.Seq("directories").OfType<YamlMappingNode>().Where(d => d.Str("exclude") == "true").Select(d => d.Str("path")).OfType<string>().ToList();
            foreach (var dir in repositoryDirectories.Where(d => includes.Any(p => Glob(p).IsMatch(d)) && !excludes.Any(p => Glob(p).IsMatch(d))))
            {
                var generated = FromSpec(Substitute(template.Str("metadata", "name") ?? set.Name, dir), set, template.Map("spec"));
                yield return generated with
                {
                    Sources = generated.Sources.Select(s => s with { Path = s.Path is null ? null : Substitute(s.Path, dir) }).ToList(),
                    DestinationNamespace = generated.DestinationNamespace is null ? null : Substitute(generated.DestinationNamespace, dir),
                };
            }
        }
    }

    private static IEnumerable<YamlMappingNode> GitGenerators(IEnumerable<YamlNode> generators)
    {
        foreach (var generator in generators.OfType<YamlMappingNode>())
        {
            if (generator.Map("git") is { } git)
            {
                yield return git;
            }
            foreach (var nested in new[] { "matrix", "merge" })
            {
                foreach (var inner in GitGenerators(generator.Seq(nested, "generators")))
                {
                    yield return inner;
                }
            }
        }
    }

    /// <summary>Argo CD's path glob: '*' stays within one folder, '**' crosses folders.</summary>
    private static Regex Glob(string pattern) =>
        new("^" + Regex.Escape(pattern.TrimEnd('/')).Replace(@"\*\*", ".*", StringComparison.Ordinal).Replace(@"\*", "[^/]*", StringComparison.Ordinal).Replace(@"\?", "[^/]", StringComparison.Ordinal) + "$");

    private static string Substitute(string template, string dir) =>
        TemplateParameter().Replace(template, m => m.Groups[1].Value switch
        {
            "path" or ".path.path" or "path.path" => dir,
            "path.basename" or ".path.basename" => System.IO.Path.GetFileName(dir),
            _ => m.Value,
        });

    [GeneratedRegex(@"\{\{\s*([.\w]+)\s*\}\}")]
    private static partial Regex TemplateParameter();
}
