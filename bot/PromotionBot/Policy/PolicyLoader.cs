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
    public static IReadOnlyList<string> Discover(string repoDir) => RepoFile.Find(repoDir, "apps", FileName);

    /// <summary>Parses one policy file and checks it against its DestinationRule; throws <see cref="RepoFileException"/> naming the line of the first problem.</summary>
    public static CanaryPolicy Load(string repoDir, string relativePath)
    {
        var policy = Parse(relativePath, RepoFile.ReadText(repoDir, relativePath));
        DestinationRuleCheck.Verify(repoDir, policy); // cross-file: subsets and circuit-breaking features exist
        return policy;
    }

    public static CanaryPolicy Parse(string relativePath, string text) => Parse(relativePath, text, schema: true);

    /// <param name="schema">False only in the test that proves the loader's own checks and the schema agree.</param>
    internal static CanaryPolicy Parse(string relativePath, string text, bool schema)
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
            var (line, column) = LastGoodPosition(text);
            throw new RepoFileException(relativePath, line, column, "invalid YAML: unterminated flow sequence or mapping ('[' or '{' without its closing bracket)");
        }
        catch (Exception e) when (e is ArgumentException or FormatException or OverflowException)
        {
            var (line, column) = LastGoodPosition(text);
            throw new RepoFileException(relativePath, line, column, $"invalid YAML: {e.Message}");
        }

        if (stream.Documents.Count != 1)
        {
            throw new RepoFileException(relativePath, 0, 0, $"expected exactly one YAML document, found {stream.Documents.Count}");
        }

        if (schema)
        {
            PolicySchema.RejectUnknownKeys(relativePath, stream.Documents[0].RootNode);
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
        var ns = KubernetesName(target.RequiredString("namespace"));
        var service = KubernetesName(target.RequiredString("service"));
        var name = metadata.Child("name") is not null ? KubernetesName(metadata.RequiredString("name")) : service;

        var vs = spec.RequiredMap("virtualService");
        var vsFile = vs.RequiredString("file");
        var policyDir = Path.GetDirectoryName(relativePath)?.Replace('\\', '/') ?? "";
        var vsPath = NormalizeRelative(policyDir, vsFile.Value) ?? throw vsFile.Error($"virtualService.file '{vsFile.Value}' leaves the repository");
        var target2 = new VirtualServiceTarget(vsPath, KubernetesName(vs.RequiredString("name"), subdomain: true), vs.OptionalString("route")?.Value);

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
            cb?.OptionalBool("outlierEjection") ?? Defaults.OutlierEjection,
            cb?.OptionalBool("connectionPoolOverflow") ?? Defaults.ConnectionPoolOverflow);

        // The loader's own checks above give the precise messages; the schema catches anything they do not cover.
        if (schema)
        {
            PolicySchema.Validate(relativePath, stream.Documents[0].RootNode);
        }

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
            KubernetesName(name);
            var version = node.OptionalString("version");
            if (version is not null && !KubernetesNames.IsLabelValue(version.Value))
            {
                throw version.Error($"'{Printable(version.Value)}' is not {KubernetesNames.LabelValueRule}");
            }

            return (name, version?.Value ?? name.Value);
        }

        var plain = subsets.RequiredString(key);
        KubernetesName(plain);
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
        var d = Defaults.Analysis;
        var window = a?.OptionalDuration("window") ?? d.Window;
        var interval = a?.OptionalDuration("interval") ?? d.Interval;
        var failureThreshold = a?.OptionalInt("failureThreshold") ?? d.FailureThreshold;
        var minRequests = a?.OptionalInt("minRequests") ?? d.MinRequests;
        var maxErrorRate = a?.OptionalDouble("maxErrorRate") ?? d.MaxErrorRate;
        var maxP99 = a?.OptionalDouble("maxP99LatencyMs") ?? d.MaxP99LatencyMs;
        var staleness = a?.OptionalDuration("maxStaleness") ?? d.MaxStaleness;

        if (a is not null)
        {
            if (failureThreshold < 1)
            {
                throw a.Child("failureThreshold")!.Error("failureThreshold must be at least 1");
            }

            // In seconds: a huge threshold times a long interval must not overflow TimeSpan.
            var persistence = interval.TotalSeconds * failureThreshold;
            if (persistence > window.TotalSeconds)
            {
                var shown = persistence < 1e12 ? Durations.Format(TimeSpan.FromSeconds(persistence)) : $"{persistence:0}s";
                throw a.Child("interval")!.Error($"interval × failureThreshold ({shown}) must fit in the window ({Durations.Format(window)})");
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

    /// <summary>Values that end up in PromQL, branch names and labels must be Kubernetes names (Istio enforces the same on subsets).</summary>
    private static string KubernetesName(PolicyNode node, bool subdomain = false)
    {
        var value = node.Value;
        var ok = subdomain ? KubernetesNames.IsSubdomain(value) : KubernetesNames.IsLabel(value);
        return ok ? value : throw node.Error($"'{Printable(value)}' is not {(subdomain ? KubernetesNames.SubdomainRule : KubernetesNames.LabelRule)}");
    }

    /// <summary>Error messages quote the value, but never raw control characters (terminal escapes) or megabytes of it.</summary>
    internal static string Printable(string value)
    {
        var shown = value.Length > 80 ? value[..80] + "…" : value;
        return string.Concat(shown.Select(c => char.IsControl(c) ? $"\\u{(int)c:x4}" : c.ToString()));
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

    /// <summary>Where the YAML stops making sense, for errors YamlDotNet reports without a position.</summary>
    private static (int Line, int Column) LastGoodPosition(string text)
    {
        var parser = new Parser(new StringReader(text));
        var last = Mark.Empty;
        try
        {
            while (parser.MoveNext())
            {
                last = parser.Current?.End ?? last;
            }
        }
        catch (YamlException e)
        {
            return ((int)e.Start.Line, (int)e.Start.Column);
        }
        catch (Exception e) when (e is InvalidOperationException or ArgumentException or FormatException or OverflowException)
        {
            // The last event that parsed is the closest position there is.
        }

        return ((int)Math.Max(1, last.Line), (int)Math.Max(1, last.Column));
    }

    /// <summary>Values for omitted fields: the schema's <c>default</c>s, so the schema and the loader cannot drift apart.</summary>
    internal static class Defaults
    {
        public static readonly AnalysisSettings Analysis = new(
            Duration("window"),
            PolicySchema.Default("spec", "analysis", "minRequests").GetInt64(),
            PolicySchema.Default("spec", "analysis", "maxErrorRate").GetDouble(),
            PolicySchema.Default("spec", "analysis", "maxP99LatencyMs").GetDouble(),
            Duration("interval"),
            PolicySchema.Default("spec", "analysis", "failureThreshold").GetInt32(),
            Duration("maxStaleness"));

        public static readonly bool OutlierEjection = PolicySchema.Default("spec", "circuitBreaking", "outlierEjection").GetBoolean();

        public static readonly bool ConnectionPoolOverflow = PolicySchema.Default("spec", "circuitBreaking", "connectionPoolOverflow").GetBoolean();

        private static TimeSpan Duration(string field) =>
            Durations.TryParse(PolicySchema.Default("spec", "analysis", field).GetString() ?? "", out var value)
                ? value
                : throw new InvalidOperationException($"the schema's default for spec.analysis.{field} is not a duration");
    }

    private static Exception InnerMost(Exception e) => e.InnerException is null ? e : InnerMost(e.InnerException);
}
