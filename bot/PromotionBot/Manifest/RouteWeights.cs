namespace PromotionBot.Manifest;

/// <summary>The weights of one VirtualService http route, by subset, as read from the repository.</summary>
/// <param name="File">Repository-relative path of the VirtualService file.</param>
/// <param name="Weights">Weight per subset, in the order the destinations appear.</param>
public sealed record RouteWeights(string File, IReadOnlyList<SubsetWeight> Weights)
{
    public int Of(string subset) => Weights.FirstOrDefault(w => w.Subset == subset)?.Weight ?? 0;
}

/// <param name="Line">1-based line of the <c>weight:</c> value (0 when the weight is implicit).</param>
/// <param name="Column">1-based column of the value.</param>
public sealed record SubsetWeight(string Subset, int Weight, int Line, int Column);
