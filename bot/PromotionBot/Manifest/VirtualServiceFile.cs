namespace PromotionBot.Manifest;

/// <summary>Reads and rewrites the weights of one VirtualService http route, touching nothing else in the file.</summary>
/// <remarks>
/// Weights must be plain integers 0..100: a quoted weight (<c>weight: "80"</c>) is reported as an error rather than kept,
/// because Istio's CRD schema types weight as an integer and the API server would reject the string.
/// A destination without <c>weight:</c> counts as 100 when alone, else 0 (Istio's reading).
/// Callers that write the result back should use <see cref="ManifestText"/> so a UTF-8 BOM survives.
/// </remarks>
public static class VirtualServiceFile
{
    private const char Bom = '\uFEFF';

    /// <summary>
    /// Reads the weights of one http route of the VirtualService <paramref name="vsName"/> in <paramref name="text"/>.
    /// <paramref name="route"/> names the http route, or null for the only route whose destinations name both subsets.
    /// </summary>
    /// <exception cref="RepoFileException">Unparsable YAML, missing VirtualService/route/subset, bad weights.</exception>
    public static RouteWeights ReadWeights(string path, string text, string vsName, string? route, string stable, string canary)
    {
        var (_, located) = Locate(path, text, vsName, route, stable, canary);
        return ToWeights(path, located);
    }

    /// <summary>
    /// Returns <paramref name="text"/> with only the <c>weight:</c> scalars of that route changed to <paramref name="weights"/>
    /// (subset → weight; subsets not named keep their weight; the result must sum to 100). A destination without
    /// <c>weight:</c> gets one inserted next to its <c>destination:</c> key. The result is re-parsed and verified.
    /// </summary>
    /// <exception cref="RepoFileException">The file is invalid (see ReadWeights), nothing would change, or verification failed.</exception>
    /// <exception cref="ArgumentException">The requested weights are out of range, name unknown subsets or do not sum to 100.</exception>
    public static string WithWeights(string path, string text, string vsName, string? route, string stable, string canary,
        IReadOnlyDictionary<string, int> weights) =>
        WithWeights(path, text, vsName, route, stable, canary, weights, tamper: null);

    /// <param name="tamper">Test seam: alters the spliced text before verification, to prove verification catches it.</param>
    internal static string WithWeights(string path, string text, string vsName, string? route, string stable, string canary,
        IReadOnlyDictionary<string, int> weights, Func<string, string>? tamper)
    {
        ArgumentNullException.ThrowIfNull(weights);
        var (documents, located) = Locate(path, text, vsName, route, stable, canary);
        var requested = Resolve(path, located, weights);
        var (bom, body) = SplitBom(text);

        var plan = WeightEditPlan.Create(path, body, located, requested);
        if (plan.Splices.Count == 0)
        {
            throw VirtualServiceLocator.Error(path, located.Route,
                $"VirtualService '{vsName}' already has weights {located.Describe()}; nothing would change");
        }
        var newBody = TextSplice.Apply(body, plan.Splices);
        if (tamper is not null)
        {
            newBody = tamper(newBody);
        }

        IReadOnlyList<YamlNode> after;
        LocatedRoute relocated;
        try
        {
            after = YamlTree.Parse(path, newBody);
            relocated = VirtualServiceLocator.Locate(path, after, vsName, route, stable, canary);
        }
        catch (RepoFileException e)
        {
            throw SpliceVerifier.Failed(path, $"the edited text does not read back: {e.Message}");
        }
        SpliceVerifier.Verify(path, documents, plan, after);
        for (var i = 0; i < relocated.Destinations.Count; i++)
        {
            if (relocated.Document != located.Document || relocated.Destinations[i].Weight != requested[i])
            {
                throw SpliceVerifier.Failed(path, $"the edited route reads back as {relocated.Describe()}");
            }
        }
        return bom + newBody;
    }

    private static (IReadOnlyList<YamlNode> Documents, LocatedRoute Route) Locate(string path, string text, string vsName,
        string? route, string stable, string canary)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (stable == canary)
        {
            throw new ArgumentException($"stable and canary subsets must differ (both '{stable}')", nameof(canary));
        }
        var documents = YamlTree.Parse(path, SplitBom(text).Body);
        return (documents, VirtualServiceLocator.Locate(path, documents, vsName, route, stable, canary));
    }

    /// <summary>New weight per destination index: requested where named, unchanged otherwise.</summary>
    private static Dictionary<int, int> Resolve(string path, LocatedRoute route, IReadOnlyDictionary<string, int> weights)
    {
        foreach (var (subset, weight) in weights)
        {
            if (weight is < 0 or > 100)
            {
                throw new ArgumentException($"weight {weight} for subset '{subset}' is outside 0..100", nameof(weights));
            }
            if (!route.Destinations.Any(d => d.Subset == subset))
            {
                throw VirtualServiceLocator.Error(path, route.Route,
                    $"cannot set a weight for subset '{subset}': the route has no such destination ({route.Describe()})");
            }
        }
        var result = new Dictionary<int, int>();
        for (var i = 0; i < route.Destinations.Count; i++)
        {
            var d = route.Destinations[i];
            result[i] = weights.TryGetValue(d.Subset, out var w) ? w : d.Weight;
        }
        var sum = result.Values.Sum();
        if (sum != 100)
        {
            throw new ArgumentException($"requested weights give a route total of {sum}, not 100", nameof(weights));
        }
        return result;
    }

    private static RouteWeights ToWeights(string path, LocatedRoute route) =>
        new(path, route.Destinations
            .Select(d => d.WeightNode is { } node
                ? new SubsetWeight(d.Subset, d.Weight, node.End.Line, node.End.Column - node.Value.Length)
                : new SubsetWeight(d.Subset, d.Weight, 0, 0))
            .ToList());

    private static (string Bom, string Body) SplitBom(string text) =>
        text.Length > 0 && text[0] == Bom ? (Bom.ToString(), text[1..]) : ("", text);
}
