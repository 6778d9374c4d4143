namespace Demo.Orchestration;

/// <summary>
/// Everything the loop is parameterised by. The defaults are <c>make demo</c>'s: the shipped policies compressed
/// ×30, a cycle every 2 s, Prometheus scraping every second, a reviewer who merges 3 s after a pull request opens and
/// an Argo CD that applies 2 s after main moves. A benchmark sets production values instead.
/// </summary>
public sealed record LoopSettings
{
    /// <summary>This repository's root: the origin is built from its manifests, the worker from its bot.</summary>
    public required string RepositoryRoot { get; init; }

    public Storyline Storyline { get; init; } = Storyline.Tutorial;

    /// <summary>Policy:TimeScale for the worker: every policy duration is divided by it.</summary>
    public double TimeScale { get; init; } = 30;

    /// <summary>Worker:Schedule (Cronos, with seconds).</summary>
    public string Schedule { get; init; } = "*/2 * * * * *";

    public TimeSpan ScrapeInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>How long after a bot pull request opens the reviewer merges it.</summary>
    public TimeSpan ReviewerDelay { get; init; } = TimeSpan.FromSeconds(3);

    /// <summary>How long after main moves the Argo CD stand-in applies it.</summary>
    public TimeSpan SyncDelay { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>The story must end within this (after everything started); otherwise the run fails.</summary>
    public TimeSpan StoryTimeout { get; init; } = TimeSpan.FromMinutes(3);

    /// <summary>Prometheus rule files (alerting); empty: none.</summary>
    public IReadOnlyList<string> AlertRuleFiles { get; init; } = [];

    /// <summary>Alertmanager Prometheus sends alerts to; null: none.</summary>
    public Uri? Alertmanager { get; init; }

    /// <summary>Alerting:WebhookToken for the worker (its POST /hooks/alertmanager); null: the webhook is off.</summary>
    public string? WebhookToken { get; init; }

    /// <summary>Loopback port of the worker's HTTP endpoints; 0: a free one (see <see cref="DemoLoop.WorkerUrl"/>).</summary>
    public int WorkerPort { get; init; }

    /// <summary>The worker's PromotionBot.dll; null: bot/PromotionBot/bin/&lt;this build's configuration&gt;/net10.0.</summary>
    public string? WorkerAssembly { get; init; }

    /// <summary>Where each pull request body is written as Markdown (kept after the run); null: not written.</summary>
    public string? PullRequestsDirectory { get; init; }

    /// <summary>Further worker configuration (<c>--Key=value</c>), after the loop's own.</summary>
    public IReadOnlyDictionary<string, string> WorkerSettings { get; init; } = new Dictionary<string, string>();

    /// <summary>The live view, events and summary go here; null: silent.</summary>
    public TextWriter? Output { get; init; }
}
