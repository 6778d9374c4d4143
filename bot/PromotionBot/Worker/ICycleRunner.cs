using PromotionBot.PullRequests;

namespace PromotionBot.Worker;

/// <summary>
/// One promotion cycle, as the worker sees it: the same cycle as <c>run --once</c>. The composition root implements it
/// over <see cref="PromotionCycle"/>; the worker only schedules, counts and reports.
/// </summary>
public interface ICycleRunner
{
    /// <param name="canaries">Canary keys (<c>namespace/name</c>) a trigger asked for; null for a scheduled cycle over all of them.
    /// A runner may judge more canaries than asked (a full cycle covers the named ones), never fewer.</param>
    Task<CycleReport> RunCycleAsync(IReadOnlySet<string>? canaries, CancellationToken ct);
}
