namespace Scenarios;

/// <summary>
/// Fluent description of one service's telemetry over time. Times are offsets BEFORE the evaluation time
/// (<see cref="ScenarioSet.At"/>): <c>During(TimeSpan.FromMinutes(3), TimeSpan.Zero, ...)</c> means "the last three minutes".
/// </summary>
public sealed class CanaryScenario
{
    private readonly Dictionary<string, SubsetTraffic> _baseline = new(StringComparer.Ordinal);
    private readonly List<Override> _overrides = [];
    private readonly List<(string Subset, TimeSpan Ago)> _restarts = [];

    internal CanaryScenario(CanaryTarget target, DateTimeOffset at)
    {
        Target = target;
        At = at;
    }

    public CanaryTarget Target { get; }

    /// <summary>Evaluation time this scenario was designed for (pass it as <c>--at</c>).</summary>
    public DateTimeOffset At { get; }

    public string CallerWorkload { get; private set; } = "ecommerce-ui";

    /// <summary>Deliberately neither v1 nor v2: a query that reads the scrape label <c>version</c> instead of <c>destination_version</c> finds nothing.</summary>
    public string CallerVersion { get; private set; } = "v3";

    /// <summary>Pods (and so every series) exist from this long before <see cref="At"/>.</summary>
    public TimeSpan StartsAgo { get; private set; } = TimeSpan.FromMinutes(15);

    /// <summary>All series of the service end this long before <see cref="At"/> (zero: they run up to At).</summary>
    public TimeSpan StopsAgo { get; private set; } = TimeSpan.Zero;

    /// <summary>False when the canary subset was never deployed: no series carry its version at all.</summary>
    public bool CanaryDeployed { get; private set; } = true;

    public IReadOnlyList<(string Subset, TimeSpan Ago)> Restarts => _restarts;

    public IEnumerable<string> Subsets => CanaryDeployed ? [Target.Stable, Target.Canary] : [Target.Stable];

    public CanaryScenario CalledBy(string workload, string version)
    {
        CallerWorkload = workload;
        CallerVersion = version;
        return this;
    }

    /// <summary>Baseline behaviour of a subset for the whole scenario.</summary>
    public CanaryScenario Traffic(string subset, double requestsPerSecond, double errorRatio = 0, double latencyMs = 40, int errorCode = 500)
    {
        _baseline[subset] = new SubsetTraffic(requestsPerSecond, errorRatio, errorCode, latencyMs);
        return this;
    }

    /// <summary>Changes applied from <paramref name="fromAgo"/> until <paramref name="untilAgo"/> before At (later calls win).</summary>
    public CanaryScenario During(TimeSpan fromAgo, TimeSpan untilAgo, string subset, Func<SubsetTraffic, SubsetTraffic> change)
    {
        if (fromAgo <= untilAgo)
        {
            throw new ArgumentException("fromAgo must be further in the past than untilAgo");
        }

        _overrides.Add(new Override(fromAgo, untilAgo, subset, change));
        return this;
    }

    /// <summary>Shorthand for a change that lasts until At.</summary>
    public CanaryScenario LastMinutes(double minutes, string subset, Func<SubsetTraffic, SubsetTraffic> change) =>
        During(TimeSpan.FromMinutes(minutes), TimeSpan.Zero, subset, change);

    public CanaryScenario Starts(TimeSpan ago)
    {
        StartsAgo = ago;
        return this;
    }

    /// <summary>Traffic (and every series of the service) stops this long before At, like a scrape target that went away.</summary>
    public CanaryScenario Stops(TimeSpan ago)
    {
        StopsAgo = ago;
        return this;
    }

    public CanaryScenario WithoutCanary()
    {
        CanaryDeployed = false;
        return this;
    }

    /// <summary>The subset's server pod restarts: its counters drop to zero (proves queries use rate/increase).</summary>
    public CanaryScenario RestartAt(string subset, TimeSpan ago)
    {
        _restarts.Add((subset, ago));
        return this;
    }

    /// <summary>Behaviour of a subset at <paramref name="ago"/> before At.</summary>
    public SubsetTraffic TrafficAt(string subset, TimeSpan ago)
    {
        var traffic = _baseline.GetValueOrDefault(subset) ?? new SubsetTraffic();
        foreach (var o in _overrides)
        {
            if (o.Subset == subset && ago <= o.FromAgo && ago > o.UntilAgo)
            {
                traffic = o.Change(traffic);
            }
        }

        return traffic;
    }

    /// <summary>Every behaviour the subset ever shows (used to create series up front, as Istio keeps them once seen).</summary>
    internal IEnumerable<SubsetTraffic> AllTraffic(string subset) =>
        _overrides.Where(o => o.Subset == subset)
            .Select(o => o.Change(_baseline.GetValueOrDefault(subset) ?? new SubsetTraffic()))
            .Prepend(_baseline.GetValueOrDefault(subset) ?? new SubsetTraffic());

    private sealed record Override(TimeSpan FromAgo, TimeSpan UntilAgo, string Subset, Func<SubsetTraffic, SubsetTraffic> Change);
}
