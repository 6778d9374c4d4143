using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace PromotionBot.Policy;

/// <summary>
/// Cross-file consistency of a canary's policy with the DestinationRule that defines its subsets: both subsets must
/// exist (otherwise the VirtualService routes into nothing), select the pods' version label the policy reads metrics for
/// (subset name, or the policy's <c>{name, version}</c> mapping), and each circuit-breaking check needs the Envoy feature
/// that produces its stats: outlierEjection needs <c>outlierDetection</c>, connectionPoolOverflow needs a
/// <c>connectionPool</c>, on the canary subset or the rule's top-level traffic policy. Without them the check could
/// never see data, and "no data" must not look like a hint about missing stats.
/// </summary>
/// <remarks>
/// The DestinationRule is looked up, without running kustomize, in the YAML of the policy's application folder
/// (<c>apps/&lt;app&gt;/</c>, where an app keeps its manifests; scanning only that keeps a cycle over many canaries
/// linear): a rule for the policy's host, plus the patches with the same namespace and name (patches carry no host).
/// A patch next to the policy (the canary's own component) is what the canary applies, so its subset list wins; the
/// traffic policies of all the rule's documents count, because kustomize merges maps and Istio merges a subset's
/// traffic policy field by field over the top-level one.
/// </remarks>
public static class DestinationRuleCheck
{
    private const string AppsFolder = "apps";

    /// <summary>Larger YAML files are not manifests a person writes (a DestinationRule file is a few hundred bytes).</summary>
    private const long MaxFileBytes = 4 * 1024 * 1024;

    /// <summary>Throws <see cref="RepoFileException"/> on the policy file, naming the DestinationRule's files and lines.</summary>
    public static void Verify(string repoDir, CanaryPolicy policy)
    {
        var problems = Problems(repoDir, policy);
        if (problems.Count > 0)
        {
            var at = problems.Select(p => p.At).FirstOrDefault(a => a.Line > 0);
            throw new RepoFileException(policy.PolicyFile, at.Line, at.Column, string.Join("; ", problems.Select(p => p.Message)));
        }
    }

    /// <summary>Every inconsistency, each with the line of the policy key it concerns (0 when the key is absent).</summary>
    public static IReadOnlyList<Inconsistency> Problems(string repoDir, CanaryPolicy policy)
    {
        var keys = PolicyKeyLines.Read(Path.Combine(repoDir, policy.PolicyFile));
        var scope = AppFolder(policy.PolicyFile);
        var documents = Scan(repoDir, scope).ToList();
        var rule = Find(documents, policy);
        if (rule is null)
        {
            return [new(keys.Subsets, $"no DestinationRule for host {policy.Fqdn} under {scope}/: subsets '{policy.Stable}' and '{policy.Canary}' are defined nowhere, so the VirtualService routes to nothing")];
        }

        var problems = new List<Inconsistency>();
        var subsets = rule.Subsets();
        foreach (var (role, subset, at) in new[] { ("stable", policy.Stable, keys.Stable), ("canary", policy.Canary, keys.Canary) })
        {
            if (!subsets.ContainsKey(subset))
            {
                var has = subsets.Count == 0 ? "none" : string.Join(", ", subsets.Keys);
                problems.Add(new(at, $"{role} subset '{subset}' is not defined by {rule.Describe()} (its subsets: {has})"));
            }
        }

        // Istio reports destination_version from the pods' version label: the subset must select the version the policy reads.
        foreach (var (role, subset, version, at) in new[] { ("stable", policy.Stable, policy.StableVersion, keys.Stable), ("canary", policy.Canary, policy.CanaryVersion, keys.Canary) })
        {
            if (subsets.GetValueOrDefault(subset)?.Map("labels") is { } labels && Scalar(labels, "version") is { } selected && selected != version)
            {
                problems.Add(new(at, subset == version
                    ? $"{role} subset '{subset}' of {rule.Describe()} selects pods labelled version: {selected}, but metrics are read for version '{version}': " +
                      $"map it in the policy (subsets.{role}: {{name: {subset}, version: \"{selected}\"}}) or fix the DestinationRule's labels"
                    : $"subsets.{role} maps subset '{subset}' to version '{version}', but {rule.Describe()} selects pods labelled version: {selected}"));
            }
        }

        var canary = subsets.GetValueOrDefault(policy.Canary);
        if (policy.CircuitBreaking.OutlierEjection && !rule.Has(canary, "outlierDetection"))
        {
            problems.Add(new(keys.OutlierEjection,
                $"circuitBreaking.outlierEjection is on, but {rule.Describe()} has no outlierDetection on subset '{policy.Canary}' or in its trafficPolicy: " +
                "Envoy never ejects a host and exports no ejection stats, so the check can never see data. Add outlierDetection there, or set outlierEjection: false"));
        }

        if (policy.CircuitBreaking.ConnectionPoolOverflow && !rule.Has(canary, "connectionPool"))
        {
            problems.Add(new(keys.ConnectionPoolOverflow,
                $"circuitBreaking.connectionPoolOverflow is on, but {rule.Describe()} has no connectionPool on subset '{policy.Canary}' or in its trafficPolicy: " +
                "without limits nothing overflows, so the check can never see data. Add a connectionPool there, or set connectionPoolOverflow: false"));
        }

        return problems;
    }

    private static RuleDocuments? Find(IReadOnlyList<RuleDocument> documents, CanaryPolicy policy)
    {
        var keys = documents.Where(d => d.Host is { } host && Resolves(host, d.Namespace ?? policy.Namespace, policy))
            .Select(d => (Namespace: d.Namespace ?? policy.Namespace, d.Name))
            .Distinct()
            .ToList();
        if (keys.Count == 0)
        {
            return null;
        }

        var policyDir = Path.GetDirectoryName(policy.PolicyFile)?.Replace('\\', '/') ?? "";
        var groups = keys.Select(k => new RuleDocuments(k.Namespace, k.Name, policyDir,
            documents.Where(d => d.Name == k.Name && (d.Namespace ?? policy.Namespace) == k.Namespace).ToList())).ToList();

        // Two rules for one host is ambiguous for Istio too; prefer the canary's own, then the one that knows the canary subset.
        return groups.FirstOrDefault(g => g.Overlay.Count > 0)
            ?? groups.FirstOrDefault(g => g.Subsets().ContainsKey(policy.Canary))
            ?? groups[0];
    }

    /// <summary>Whether a DestinationRule host names the policy's service (short names resolve in the rule's namespace).</summary>
    private static bool Resolves(string host, string ruleNamespace, CanaryPolicy policy) =>
        host == policy.Fqdn
        || host == $"{policy.Service}.{policy.Namespace}.svc"
        || host == $"{policy.Service}.{policy.Namespace}"
        || (host == policy.Service && ruleNamespace == policy.Namespace);

    /// <summary>"apps/ecommerce" for apps/ecommerce/components/x/promotion-policy.yaml; "apps" for a policy directly in apps/.</summary>
    private static string AppFolder(string policyFile)
    {
        var parts = policyFile.Split('/');
        return parts.Length > 2 && parts[0] == AppsFolder ? $"{AppsFolder}/{parts[1]}" : AppsFolder;
    }

    /// <summary>DestinationRule documents in the YAML files under <paramref name="scope"/> (hidden folders skipped; unparsable files ignored).</summary>
    private static IEnumerable<RuleDocument> Scan(string repoDir, string scope)
    {
        var folder = Path.Combine(repoDir, scope);
        if (!Directory.Exists(folder) || new DirectoryInfo(folder).LinkTarget is not null)
        {
            yield break;
        }

        foreach (var file in YamlFiles(folder).Order(StringComparer.Ordinal))
        {
            string text;
            try
            {
                // The safe reader: regular files inside the repository only (a FIFO named x.yaml would block a plain read).
                text = RepoFile.ReadText(repoDir, Path.GetRelativePath(repoDir, file).Replace('\\', '/'));
            }
            catch (RepoFileException)
            {
                continue;
            }

            // Cheap filter: most files (dashboards, workloads) have no DestinationRule at all.
            if (!text.Contains("DestinationRule", StringComparison.Ordinal))
            {
                continue;
            }

            var relative = Path.GetRelativePath(repoDir, file).Replace('\\', '/');
            foreach (var document in Documents(text))
            {
                if (Scalar(document, "kind") == "DestinationRule"
                    && Scalar(document, "apiVersion")?.StartsWith("networking.istio.io/", StringComparison.Ordinal) == true
                    && document.Map("metadata") is { } metadata && Scalar(metadata, "name") is { } name)
                {
                    var spec = document.Map("spec");
                    yield return new RuleDocument(relative, (int)document.Start.Line, Scalar(metadata, "namespace"), name,
                        spec is null ? null : Scalar(spec, "host"), spec);
                }
            }
        }
    }

    /// <summary>
    /// YAML files below <paramref name="dir"/>. The repository is untrusted: symbolic links are not followed (a link to a
    /// parent would recurse forever, one to a device or outside file would be read), and oversized files are skipped.
    /// </summary>
    private static List<string> YamlFiles(string dir)
    {
        var files = new List<string>();
        try
        {
            var info = new DirectoryInfo(dir);
            files.AddRange(info.EnumerateFiles()
                .Where(f => f.Extension is ".yaml" or ".yml" && f.Name != PolicyLoader.FileName)
                .Where(f => f.LinkTarget is null && f.Length <= MaxFileBytes)
                .Select(f => f.FullName));
            foreach (var sub in info.EnumerateDirectories().Where(d => !d.Name.StartsWith('.') && d.LinkTarget is null))
            {
                files.AddRange(YamlFiles(sub.FullName));
            }
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }

        return files;
    }

    private static IEnumerable<YamlMappingNode> Documents(string text)
    {
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(text));
        }
        catch (YamlException)
        {
            return []; // a broken manifest is reported by whoever applies it; here it defines no rule
        }
        catch (InvalidOperationException)
        {
            return [];
        }

        return stream.Documents.Select(d => d.RootNode).OfType<YamlMappingNode>().ToList();
    }

    internal static string? Scalar(YamlMappingNode map, string key) =>
        map.Children.TryGetValue(new YamlScalarNode(key), out var node) && node is YamlScalarNode { Value: { Length: > 0 } value } ? value : null;

    internal static YamlMappingNode? Map(this YamlMappingNode map, string key) =>
        map.Children.TryGetValue(new YamlScalarNode(key), out var node) ? node as YamlMappingNode : null;

    internal static IEnumerable<YamlNode> Seq(this YamlMappingNode map, string key) =>
        map.Children.TryGetValue(new YamlScalarNode(key), out var node) && node is YamlSequenceNode seq ? seq.Children : [];
}

/// <param name="At">The policy key the problem is about; line 0 when that key is absent (its default applies).</param>
public sealed record Inconsistency(KeyPosition At, string Message);

/// <summary>1-based line and column of a key in the policy file.</summary>
public readonly record struct KeyPosition(int Line, int Column);

/// <summary>Where the policy keys a problem can point at are (line 0 when a key is absent and its default applies).</summary>
internal sealed record PolicyKeyLines(KeyPosition Subsets, KeyPosition Stable, KeyPosition Canary, KeyPosition OutlierEjection, KeyPosition ConnectionPoolOverflow)
{
    public static PolicyKeyLines Read(string path)
    {
        try
        {
            var stream = new YamlStream();
            stream.Load(new StringReader(File.ReadAllText(path)));
            var spec = (stream.Documents.FirstOrDefault()?.RootNode as YamlMappingNode)?.Map("spec");
            var subsets = spec?.Map("subsets");
            var cb = spec?.Map("circuitBreaking");
            return new PolicyKeyLines(LineOf(spec, "subsets"), LineOf(subsets, "stable"), LineOf(subsets, "canary"),
                LineOf(cb, "outlierEjection"), LineOf(cb, "connectionPoolOverflow"));
        }
        catch (Exception e) when (e is IOException or YamlException or InvalidOperationException)
        {
            return new PolicyKeyLines(default, default, default, default, default); // the loader already parsed it; lines are a nicety
        }
    }

    private static KeyPosition LineOf(YamlMappingNode? map, string key) =>
        map?.Children.Keys.OfType<YamlScalarNode>().FirstOrDefault(k => k.Value == key) is { } node
            ? new KeyPosition((int)node.Start.Line, (int)node.Start.Column)
            : default;
}
