namespace PromotionBot.Manifest;

/// <summary>The http route of a VirtualService whose weights the bot manages, with the nodes the editor needs.</summary>
/// <param name="Document">0-based index of the document holding the VirtualService.</param>
/// <param name="Route">The http route mapping (holds <c>name</c>, <c>route</c>, ...).</param>
/// <param name="Destinations">The route's destinations, in file order.</param>
internal sealed record LocatedRoute(int Document, YamlMapping Route, IReadOnlyList<LocatedDestination> Destinations)
{
    public string Describe() => string.Join(", ", Destinations.Select(d => $"{d.Subset}={d.Weight}"));
}

/// <param name="Item">The route entry mapping (siblings <c>destination:</c> and <c>weight:</c>).</param>
/// <param name="DestinationKey">The <c>destination</c> key scalar, whose column a newly inserted <c>weight:</c> takes.</param>
/// <param name="WeightNode">The <c>weight:</c> value scalar, or null when the weight is implicit.</param>
/// <param name="Weight">The effective weight (implicit: 100 for a lone destination, else 0, as Istio reads it).</param>
internal sealed record LocatedDestination(string Subset, YamlMapping Item, YamlScalar DestinationKey, YamlScalar? WeightNode, int Weight);
