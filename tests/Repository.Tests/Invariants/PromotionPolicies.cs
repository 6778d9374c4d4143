using Repository.Tests.Loading;
using Repository.Tests.Model;

namespace Repository.Tests.Invariants;

/// <summary>
/// Light checks of the bot's promotion-policy.yaml files (the bot validates them deeply): each parses, names a
/// VirtualService file that a kustomization applies and that holds that VirtualService with a route over both
/// subsets, and no kustomization applies the policy itself.
/// </summary>
public static class PromotionPolicies
{
    public const string FileName = "promotion-policy.yaml";

    public static IEnumerable<string> Files(string root) =>
        Directory.Exists(Path.Combine(root, "apps"))
            ? RepoFiles.Yaml(root).Where(f => Path.GetFileName(f) == FileName && RepoRoot.Relative(f, root).StartsWith("apps/", StringComparison.Ordinal))
            : [];

    public static IEnumerable<Violation> Check(string root, LayerGraph graph)
    {
        var files = Files(root).ToList();
        var listed = graph.Layers.Values.SelectMany(l => l.LocalFiles).Select(f => f.FullPath).ToHashSet(StringComparer.Ordinal);
        foreach (var file in files)
        {
            foreach (var violation in CheckPolicy(file, root, listed))
            {
                yield return violation;
            }
        }
        var policyPaths = files.ToHashSet(StringComparer.Ordinal);
        foreach (var layer in graph.Layers.Values)
        {
            foreach (var (reference, fullPath) in layer.LocalFiles.Concat(PatchFiles(layer)))
            {
                if (policyPaths.Contains(fullPath))
                {
                    yield return new Violation(new Origin(layer.RelativeFile, reference.Line), $"Kustomization {layer.RelativeDirectory}",
                        $"lists {reference.Value} under {reference.Field}: a promotion policy is read by the bot, never applied to the cluster");
                }
            }
        }
    }

    private static IEnumerable<(LayerReference, string)> PatchFiles(Kustomization layer) =>
        layer.Body.Seq("patches").Select(p => p.Get("path")).Concat(layer.Body.Seq("patchesStrategicMerge"))
            .OfType<YamlDotNet.RepresentationModel.YamlScalarNode>().Where(s => s.Value is not null)
            .Select(s => (new LayerReference("patches", s.Value!, s.Line()), Path.GetFullPath(Path.Combine(layer.Directory, s.Value!))));

    private static IEnumerable<Violation> CheckPolicy(string file, string root, IReadOnlySet<string> listedResources)
    {
        var relative = RepoRoot.Relative(file, root);
        IReadOnlyList<YamlDotNet.RepresentationModel.YamlMappingNode> docs;
        string? parseError = null;
        try
        {
            docs = YamlDocuments.Parse(File.ReadAllText(file), relative);
        }
        catch (InvalidDataException e)
        {
            docs = [];
            parseError = e.Message;
        }
        if (parseError is not null || docs.Count != 1)
        {
            yield return new Violation(new Origin(relative, 1), "PromotionPolicy", parseError ?? $"expected one YAML document, found {docs.Count}");
            yield break;
        }
        var policy = docs[0];
        var subject = $"PromotionPolicy {policy.Str("metadata", "name") ?? "(unnamed)"}";
        Violation At(YamlDotNet.RepresentationModel.YamlNode node, string message) => new(new Origin(relative, node.Line()), subject, message);

        if (policy.Str("kind") != "PromotionPolicy")
        {
            yield return At(policy, $"kind is '{policy.Str("kind")}', expected PromotionPolicy");
        }
        var vsFile = policy.Str("spec", "virtualService", "file");
        var vsName = policy.Str("spec", "virtualService", "name");
        var stable = policy.Str("spec", "subsets", "stable");
        var canary = policy.Str("spec", "subsets", "canary");
        if (vsFile is null || vsName is null || stable is null || canary is null)
        {
            yield return At(policy, "needs spec.virtualService.file, spec.virtualService.name, spec.subsets.stable and spec.subsets.canary");
            yield break;
        }
        var vsPath = Path.GetFullPath(Path.Combine(Path.GetDirectoryName(file)!, vsFile));
        if (!File.Exists(vsPath))
        {
            yield return At(policy.Get("spec", "virtualService", "file")!, $"virtualService.file '{vsFile}' does not exist");
            yield break;
        }
        if (!listedResources.Contains(vsPath))
        {
            yield return At(policy.Get("spec", "virtualService", "file")!, $"{RepoRoot.Relative(vsPath, root)} is listed in no kustomization: the weights the bot edits would never reach the cluster");
        }
        var vs = YamlDocuments.ObjectsInFile(vsPath, root).FirstOrDefault(o => o.Is("networking.istio.io", "VirtualService") && o.Name == vsName);
        if (vs is null)
        {
            yield return At(policy.Get("spec", "virtualService", "name")!, $"{RepoRoot.Relative(vsPath, root)} holds no VirtualService named '{vsName}'");
            yield break;
        }
        var routeName = policy.Str("spec", "virtualService", "route");
        var bothSubsets = vs.Body.Seq("spec", "http")
            .Where(r => routeName is null || r.Str("name") == routeName)
            .Any(r => r.Seq("route").Select(d => d.Str("destination", "subset")).ToHashSet().IsSupersetOf([stable, canary]));
        if (!bothSubsets)
        {
            yield return At(policy.Get("spec", "virtualService")!,
                $"{vs.Display} ({vs.Origin}) has no http route{(routeName is null ? "" : $" named '{routeName}'")} with destinations for subsets '{stable}' and '{canary}'");
        }
    }
}
