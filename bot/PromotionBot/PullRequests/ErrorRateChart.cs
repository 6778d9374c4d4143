namespace PromotionBot.PullRequests;

/// <summary>5xx ratio per subset at evenly spaced instants over the analysis window (null = no traffic at that instant).</summary>
public sealed record ErrorRateChart(IReadOnlyList<DateTimeOffset> Times, IReadOnlyDictionary<string, IReadOnlyList<double?>> BySubset);
