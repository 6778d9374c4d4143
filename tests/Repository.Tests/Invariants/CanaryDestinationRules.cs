using Repository.Tests.Loading;
using Repository.Tests.Model;
using YamlDotNet.RepresentationModel;

namespace Repository.Tests.Invariants;

/// <summary>
/// Each promotion policy agrees with the DestinationRule its canary is deployed with (as rendered, patches applied):
/// the stable and canary subsets exist, <c>circuitBreaking.outlierEjection</c> has an <c>outlierDetection</c> on the
/// canary subset or the rule's top-level traffic policy, and <c>connectionPoolOverflow</c> a <c>connectionPool</c>.
/// Otherwise the check asks for Envoy stats nothing produces and can never fire. Policies whose VirtualService is
/// not deployed in the unit are left to <see cref="PromotionPolicies"/>.
/// </summary>
public static class CanaryDestinationRules
{
    public static IEnumerable<Violation> Check(IEnumerable<string> policyFiles, string root, IReadOnlyList<K8sObject> objects)
    {
        foreach (var file in policyFiles)
        {
            var relative = RepoRoot.Relative(file, root);
            YamlMappingNode policy;
            try
            {
                var docs = YamlDocuments.Parse(File.ReadAllText(file), relative);
                if (docs.Count != 1)
                {
                    continue; // PromotionPolicies reports it
                }
                policy = docs[0];
            }
            catch (InvalidDataException)
            {
                continue;
            }

            var ns = policy.Str("spec", "target", "namespace");
            var service = policy.Str("spec", "target", "service");
            var vsName = policy.Str("spec", "virtualService", "name");
            var stable = policy.Str("spec", "subsets", "stable");
            var canary = policy.Str("spec", "subsets", "canary");
            if (ns is null || service is null || vsName is null || stable is null || canary is null
                || !objects.Any(o => o.Is("networking.istio.io", "VirtualService") && o.Namespace == ns && o.Name == vsName))
            {
                continue;
            }

            var subject = $"PromotionPolicy {policy.Str("metadata", "name") ?? service}";
            Violation At(YamlNode node, string message) => new(new Origin(relative, node.Line()), subject, message);
            var fqdn = IstioHosts.Resolve(service, ns);
            var rule = objects.FirstOrDefault(o => o.Is("networking.istio.io", "DestinationRule")
                && IstioHosts.Resolve(o.Body.Str("spec", "host") ?? "", o.Namespace) == fqdn);
            if (rule is null)
            {
                yield return At(policy.Get("spec", "subsets")!, $"no DestinationRule for {fqdn} is deployed: subsets '{stable}' and '{canary}' exist nowhere");
                continue;
            }

            var described = $"{rule.Display} ({rule.Origin})";
            var subsets = rule.Body.Seq("spec", "subsets").OfType<YamlMappingNode>().ToList();
            foreach (var (key, name) in new[] { ("stable", stable), ("canary", canary) })
            {
                if (!subsets.Any(s => s.Str("name") == name))
                {
                    yield return At(policy.Get("spec", "subsets", key)!, $"{key} subset '{name}' is not defined by {described}");
                }
            }

            var canarySubset = subsets.FirstOrDefault(s => s.Str("name") == canary);
            var circuitBreaking = policy.Map("spec", "circuitBreaking");
            foreach (var (key, field) in new[] { ("outlierEjection", "outlierDetection"), ("connectionPoolOverflow", "connectionPool") })
            {
                // Absent means on (the bot's default).
                if (circuitBreaking.Str(key) != "false" && !Declares(rule.Body.Map("spec", "trafficPolicy"), field) && !Declares(canarySubset.Map("trafficPolicy"), field))
                {
                    yield return At((YamlNode?)circuitBreaking.Get(key) ?? policy,
                        $"circuitBreaking.{key} is on, but {described} has no {field} on subset '{canary}' or in its trafficPolicy: the check could never see data");
                }
            }
        }
    }

    private static bool Declares(YamlMappingNode? trafficPolicy, string field) =>
        trafficPolicy is not null
        && (trafficPolicy.Get(field) is not null || trafficPolicy.Seq("portLevelSettings").Any(p => p.Get(field) is not null));
}
