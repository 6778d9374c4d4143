using YamlDotNet.RepresentationModel;

namespace PromotionBot.Policy;

/// <summary>One DestinationRule document (a full rule, or a kustomize patch of one) with where it starts.</summary>
internal sealed record RuleDocument(string File, int Line, string? Namespace, string Name, string? Host, YamlMappingNode? Spec)
{
    public override string ToString() => $"{File}:{Line}";
}

/// <summary>The documents that make up one DestinationRule: its base definition and the patches next to the policy.</summary>
internal sealed class RuleDocuments(string ns, string name, string policyDir, IReadOnlyList<RuleDocument> documents)
{
    public IReadOnlyList<RuleDocument> Overlay { get; } = documents.Where(d => InFolder(d.File, policyDir)).ToList();

    private IReadOnlyList<RuleDocument> Base { get; } = documents.Where(d => !InFolder(d.File, policyDir)).ToList();

    public string Describe() => $"DestinationRule {ns}/{name} ({string.Join(", ", Overlay.Concat(Base))})";

    /// <summary>Subsets by name: the canary's own patch replaces the list (kustomize replaces lists in custom resources), else the base's.</summary>
    public IReadOnlyDictionary<string, YamlMappingNode> Subsets()
    {
        var source = Overlay.LastOrDefault(d => d.Spec?.Seq("subsets").Any() == true) is { } patch
            ? [patch]
            : Base.Where(d => d.Spec is not null);
        var subsets = new Dictionary<string, YamlMappingNode>(StringComparer.Ordinal);
        foreach (var subset in source.SelectMany(d => d.Spec!.Seq("subsets")).OfType<YamlMappingNode>())
        {
            if (DestinationRuleCheck.Scalar(subset, "name") is { } subsetName)
            {
                subsets.TryAdd(subsetName, subset);
            }
        }

        return subsets;
    }

    /// <summary>Whether <paramref name="field"/> is set on the subset's or any document's traffic policy (or one of their port-level settings).</summary>
    public bool Has(YamlMappingNode? subset, string field) =>
        Declares(subset?.Map("trafficPolicy"), field)
        || documents.Any(d => Declares(d.Spec?.Map("trafficPolicy"), field));

    private static bool Declares(YamlMappingNode? trafficPolicy, string field) =>
        trafficPolicy is not null
        && (trafficPolicy.Children.ContainsKey(new YamlScalarNode(field))
            || trafficPolicy.Seq("portLevelSettings").OfType<YamlMappingNode>().Any(p => p.Children.ContainsKey(new YamlScalarNode(field))));

    private static bool InFolder(string file, string folder) =>
        folder.Length == 0 || file.StartsWith(folder + "/", StringComparison.Ordinal);
}
