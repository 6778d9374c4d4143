namespace Scenarios;

/// <summary>
/// Every service simulated into one Prometheus. All share one evaluation time; tests keep apart by namespace.
/// Each namespace also gets a misbehaving <c>shopping-cart</c> service (v2 pods, 5xx, slow, ejected, overflowing) so a query
/// that forgets to filter by service or subset blames the wrong canary.
/// </summary>
public sealed class ScenarioSet(DateTimeOffset at)
{
    /// <summary>Fixed default evaluation time (a minute boundary in the past) so repeated runs produce identical data.</summary>
    public static readonly DateTimeOffset DefaultAt = new(2026, 3, 2, 12, 0, 0, TimeSpan.Zero);

    private readonly List<CanaryScenario> _canaries = [];

    public ScenarioSet()
        : this(DefaultAt)
    {
    }

    public DateTimeOffset At { get; } = at;

    public bool NamespaceNoise { get; init; } = true;

    public IReadOnlyList<CanaryScenario> Canaries => _canaries;

    public CanaryScenario Canary(CanaryTarget target)
    {
        if (_canaries.Any(c => c.Target.Namespace == target.Namespace && c.Target.Service == target.Service))
        {
            throw new ArgumentException($"{target.Namespace}/{target.Service} is already in this scenario set");
        }

        var scenario = new CanaryScenario(target, At);
        _canaries.Add(scenario);
        return scenario;
    }

    /// <summary>Canaries plus the per-namespace noise services.</summary>
    internal IEnumerable<CanaryScenario> AllServices()
    {
        foreach (var c in _canaries)
        {
            yield return c;
        }

        if (!NamespaceNoise)
        {
            yield break;
        }

        foreach (var ns in _canaries.Select(c => c.Target.Namespace).Distinct(StringComparer.Ordinal))
        {
            var starts = _canaries.Where(c => c.Target.Namespace == ns).Max(c => c.StartsAgo);
            yield return new CanaryScenario(new CanaryTarget(ns, "shopping-cart", 8080), At)
                .Starts(starts)
                .Traffic("v1", 3, errorRatio: 0.2, latencyMs: 300, errorCode: 503)
                .Traffic("v2", 3, errorRatio: 0.4, latencyMs: 2000, errorCode: 500)
                .LastMinutes(starts.TotalMinutes - 1, "v2", t => t with { EjectedHosts = 1, OverflowPerSecond = 1 });
        }
    }
}
