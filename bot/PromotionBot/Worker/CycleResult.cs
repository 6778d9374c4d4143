namespace PromotionBot.Worker;

/// <summary>Label values of promotion_cycles_total{result}.</summary>
public static class CycleResult
{
    /// <summary>Every canary handled.</summary>
    public const string Success = "success";

    /// <summary>The cycle finished but some canary could not be judged or acted on (exit code 1 of <c>run --once</c>).</summary>
    public const string Partial = "partial";

    /// <summary>The cycle stopped on an error (clone/fetch, listing pull requests, configuration of a client).</summary>
    public const string Failure = "failure";

    public static IReadOnlyList<string> All { get; } = [Success, Partial, Failure];
}
