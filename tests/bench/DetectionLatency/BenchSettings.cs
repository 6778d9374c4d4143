namespace DetectionLatency;

/// <summary>What the benchmark runs: which faults, how many trials, the random seed and where its parts come from.</summary>
public sealed record BenchSettings
{
    public required string RepositoryRoot { get; init; }

    /// <summary>The worker's PromotionBot.dll (built with this benchmark's configuration).</summary>
    public required string WorkerAssembly { get; init; }

    /// <summary>The Prometheus rule file: the repository's infrastructure/addons/alerting/canary-alerts.rules.yml unless --rules names another.</summary>
    public required string RuleFile { get; init; }

    public IReadOnlyList<FaultKind> Faults { get; init; } = [FaultKind.CircuitBreaking];

    public int Trials { get; init; } = 5;

    public int Seed { get; init; }

    /// <summary>The latest a fault is injected after both workers are warm: onsets fall uniformly in [0, this) so their phase against
    /// the 30 s schedule, the 15 s scrape and the 15 s rule evaluation is random.</summary>
    public TimeSpan OnsetSpread { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Keep each trial's working folder (worker logs, Alertmanager log, origins) for inspection.</summary>
    public bool Keep { get; init; }
}
