using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace PromotionBot.Policy;

/// <summary>Finds and parses every <c>promotion-policy.yaml</c> under the repository's <c>apps/</c> folder.</summary>
public static partial class PolicyLoader
{
    [System.Text.RegularExpressions.GeneratedRegex("^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$")]
    private static partial System.Text.RegularExpressions.Regex KubernetesName();

    public const string FileName = "promotion-policy.yaml";
    public const string ApiVersion = "promotion.gitops.dev/v1alpha1";
    public const string Kind = "PromotionPolicy";

    /// <summary>Repository-relative paths of all policy files, sorted so every run sees the same order.</summary>
    public static IReadOnlyList<string> Discover(string repoDir)
    {
        var apps = Path.Combine(repoDir, "apps");
        if (!Directory.Exists(apps))
        {
            return [];
        }

        return Directory.EnumerateFiles(apps, FileName, SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(repoDir, f).Replace('\\', '/'))
            .Order(StringComparer.Ordinal)
            .ToList();
    }

    /// <summary>Parses one policy file and checks it against its DestinationRule; throws <see cref="RepoFileException"/> naming the line of the first problem.</summary>
    public static CanaryPolicy Load(string repoDir, string relativePath)
    {
        string text;
        try
        {
            text = File.ReadAllText(Path.Combine(repoDir, relativePath));
        }
        catch (IOException e)
        {
            throw new RepoFileException(relativePath, 0, 0, $"cannot read policy: {e.Message}");
        }

        var policy = Parse(relativePath, text);
        DestinationRuleCheck.Verify(repoDir, policy); // cross-file: subsets and circuit-breaking features exist
        return policy;
    }

    public static CanaryPolicy Parse(string relativePath, string text)
    {
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(text));
        }
        catch (YamlException e)
        {
            throw new RepoFileException(relativePath, (int)e.Start.Line, (int)e.Start.Column, $"invalid YAML: {InnerMost(e).Message}");
        }
        catch (InvalidOperationException)
        {
            // YamlDotNet's scanner fails this way on some unterminated flow collections; it gives no position.
            throw new RepoFileException(relativePath, 0, 0, "invalid YAML: unterminated flow sequence or mapping ('[' or '{' without its closing bracket)");
        }

        if (stream.Documents.Count != 1)
        {
            throw new RepoFileException(relativePath, 0, 0, $"expected exactly one YAML document, found {stream.Documents.Count}");
        }

        var root = new PolicyNode(relativePath, stream.Documents[0].RootNode, "");
        var apiVersion = root.RequiredString("apiVersion");
        if (apiVersion.Value != ApiVersion)
        {
            throw apiVersion.Error($"apiVersion must be {ApiVersion}, got '{apiVersion.Value}'");
        }

        var kind = root.RequiredString("kind");
        if (kind.Value != Kind)
        {
            throw kind.Error($"kind must be {Kind}, got '{kind.Value}'");
        }

        var metadata = root.RequiredMap("metadata");
        var spec = root.RequiredMap("spec");
        var target = spec.RequiredMap("target");
        var ns = target.RequiredString("namespace").Value;
        var service = target.RequiredString("service").Value;
        var name = metadata.OptionalString("name")?.Value ?? service;

        var vs = spec.RequiredMap("virtualService");
        var vsFile = vs.RequiredString("file");
        var policyDir = Path.GetDirectoryName(relativePath)?.Replace('\\', '/') ?? "";
        var vsPath = NormalizeRelative(policyDir, vsFile.Value) ?? throw vsFile.Error($"virtualService.file '{vsFile.Value}' leaves the repository");
        var target2 = new VirtualServiceTarget(vsPath, vs.RequiredString("name").Value, vs.OptionalString("route")?.Value);

        var subsets = spec.RequiredMap("subsets");
        var (stable, stableVersion) = ParseSubset(subsets, "stable");
        var (canary, canaryVersion) = ParseSubset(subsets, "canary");
        if (stable.Value == canary.Value)
        {
            throw canary.Error($"subsets.stable and subsets.canary must differ (both '{canary.Value}')");
        }

        if (stableVersion == canaryVersion)
        {
            throw canary.Error($"the stable and canary pods must carry different version labels (both '{canaryVersion}')");
        }

        var steps = ParseSteps(spec);
        var analysis = ParseAnalysis(spec.OptionalMap("analysis"));
        var cb = spec.OptionalMap("circuitBreaking");
        var circuit = new CircuitBreakingSettings(
            cb?.OptionalBool("outlierEjection") ?? true,
            cb?.OptionalBool("connectionPoolOverflow") ?? true);

        var application = spec.OptionalMap("argocd")?.OptionalString("application");
        if (application is not null && !KubernetesName().IsMatch(application.Value))
        {
            throw application.Error($"argocd.application must be an Argo CD Application name (lower-case letters, digits, '-', '.'), got '{application.Value}'");
        }

        return new CanaryPolicy(name, ns, service, relativePath, target2, stable.Value, canary.Value, steps, analysis, circuit)
        {
            StableVersion = stableVersion,
            CanaryVersion = canaryVersion,
            ArgoCdApplication = application?.Value,
        };
    }

    /// <summary>A subset is a name (<c>canary: v2</c>, pods labelled version=v2) or <c>{name: v2, version: "2.0.0"}</c> when the pods' version label differs.</summary>
    private static (PolicyNode Name, string Version) ParseSubset(PolicyNode subsets, string key)
    {
        var node = subsets.Required(key);
        if (node.Node is YamlMappingNode)
        {
            var name = node.RequiredString("name");
            return (name, node.OptionalString("version")?.Value ?? name.Value);
        }

        var plain = subsets.RequiredString(key);
        return (plain, plain.Value);
    }

    private static IReadOnlyList<int> ParseSteps(PolicyNode spec)
    {
        var node = spec.RequiredSequence("steps");
        var steps = new List<int>();
        foreach (var item in node.Items())
        {
            var value = item.AsInt();
            if (value is < 1 or > 100)
            {
                throw item.Error($"steps must be between 1 and 100, got {value}");
            }

            if (steps.Count > 0 && value <= steps[^1])
            {
                throw item.Error($"steps must be strictly ascending ({steps[^1]} then {value})");
            }

            steps.Add(value);
        }

        if (steps.Count == 0)
        {
            throw node.Error("steps must not be empty");
        }

        if (steps[^1] != 100)
        {
            throw node.Error($"the last step must be 100 (full promotion), got {steps[^1]}");
        }

        return steps;
    }

    private static AnalysisSettings ParseAnalysis(PolicyNode? a)
    {
        var window = a?.OptionalDuration("window") ?? TimeSpan.FromMinutes(10);
        var interval = a?.OptionalDuration("interval") ?? TimeSpan.FromMinutes(1);
        var failureThreshold = a?.OptionalInt("failureThreshold") ?? 3;
        var minRequests = a?.OptionalInt("minRequests") ?? 100;
        var maxErrorRate = a?.OptionalDouble("maxErrorRate") ?? 0.01;
        var maxP99 = a?.OptionalDouble("maxP99LatencyMs") ?? 500;
        var staleness = a?.OptionalDuration("maxStaleness") ?? TimeSpan.FromMinutes(2);

        if (a is not null)
        {
            if (failureThreshold < 1)
            {
                throw a.Child("failureThreshold")!.Error("failureThreshold must be at least 1");
            }

            if (interval * failureThreshold > window)
            {
                throw a.Child("interval")!.Error($"interval × failureThreshold ({Durations.Format(interval * failureThreshold)}) must fit in the window ({Durations.Format(window)})");
            }

            if (minRequests < 1)
            {
                throw a.Child("minRequests")!.Error("minRequests must be at least 1: the bot never promotes without data");
            }

            if (maxErrorRate is < 0 or > 1)
            {
                throw a.Child("maxErrorRate")!.Error($"maxErrorRate is a ratio between 0 and 1 (1% = 0.01), got {maxErrorRate}");
            }

            if (maxP99 <= 0)
            {
                throw a.Child("maxP99LatencyMs")!.Error("maxP99LatencyMs must be positive");
            }
        }

        return new AnalysisSettings(window, minRequests, maxErrorRate, maxP99, interval, failureThreshold, staleness)
        {
            Comparison = ParseComparison(a?.OptionalMap("comparison")),
        };
    }

    private static ComparisonSettings ParseComparison(PolicyNode? c)
    {
        var d = ComparisonSettings.Default;
        if (c is null)
        {
            return d;
        }

        var increase = c.OptionalDouble("maxErrorRateIncrease") ?? d.MaxErrorRateIncrease;
        if (increase is < 0 or >= 1)
        {
            throw c.Child("maxErrorRateIncrease")!.Error($"maxErrorRateIncrease is a difference of ratios between 0 and 1 (0.5 percentage points = 0.005), got {increase}");
        }

        var confidence = c.OptionalDouble("confidence") ?? d.Confidence;
        if (confidence is < 0.5 or >= 1)
        {
            throw c.Child("confidence")!.Error($"confidence must be at least 0.5 and below 1 (e.g. 0.99), got {confidence}");
        }

        var ratio = c.OptionalDouble("maxLatencyIncreaseRatio");
        if (ratio is < 1)
        {
            throw c.Child("maxLatencyIncreaseRatio")!.Error($"maxLatencyIncreaseRatio is p99 v2 / p99 v1 and must be at least 1 (e.g. 1.2), got {ratio}");
        }

        return new ComparisonSettings(c.OptionalBool("enabled") ?? d.Enabled, increase, confidence, ratio);
    }

    private static string? NormalizeRelative(string baseDir, string path)
    {
        if (Path.IsPathRooted(path))
        {
            return null;
        }

        var parts = new List<string>();
        foreach (var part in (baseDir + "/" + path).Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            if (part == ".")
            {
                continue;
            }

            if (part == "..")
            {
                if (parts.Count == 0)
                {
                    return null;
                }

                parts.RemoveAt(parts.Count - 1);
                continue;
            }

            parts.Add(part);
        }

        return string.Join('/', parts);
    }

    private static Exception InnerMost(Exception e) => e.InnerException is null ? e : InnerMost(e.InnerException);
}
