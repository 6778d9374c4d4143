namespace PromotionBot.Metrics;

/// <summary>One element of an instant vector. Value may be NaN or ±Inf as Prometheus returns them.</summary>
public sealed record Sample(IReadOnlyDictionary<string, string> Labels, DateTimeOffset Timestamp, double Value)
{
    public string Label(string name) => Labels.GetValueOrDefault(name, "");
}

/// <summary>One series of a range query.</summary>
public sealed record RangeSeries(IReadOnlyDictionary<string, string> Labels, IReadOnlyList<(DateTimeOffset Time, double Value)> Points);

public sealed record SeriesPoint(DateTimeOffset Time, double? Value);
