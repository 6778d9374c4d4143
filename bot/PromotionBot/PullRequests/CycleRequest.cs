namespace PromotionBot.PullRequests;

/// <summary>The values of one cycle; everything long-lived comes from the <see cref="PromotionCycle"/>'s constructor.</summary>
/// <param name="EvaluateAt">Metrics evaluation time; null = now by the injected clock.</param>
/// <param name="DryRunOutput">When set, the cycle is a dry run: pull request writes go through
/// <see cref="PreviewPullRequestClient"/>, which prints diffs and bodies here; nothing is pushed or written to GitHub.</param>
/// <param name="Canaries">Only these canaries (by name or namespace/name); null = all. Used for cycles triggered for
/// named canaries (an alert); PRs of canaries outside the set are left as they are.</param>
public sealed record CycleRequest(
    DateTimeOffset? EvaluateAt = null,
    TextWriter? DryRunOutput = null,
    IReadOnlySet<string>? Canaries = null)
{
    public bool DryRun => DryRunOutput is not null;
}
