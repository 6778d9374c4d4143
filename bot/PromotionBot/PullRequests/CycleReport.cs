namespace PromotionBot.PullRequests;

/// <summary>What one cycle did for one canary: a line of the console summary.</summary>
/// <param name="Action">e.g. "opened #12", "updated #12", "closed #9, opened #13", "status success on #12", "nothing".</param>
/// <param name="Failed">The canary's actions stopped on an error (other canaries were still handled).</param>
public sealed record CycleLine(string Canary, string Decision, string Action, string Reason, bool Failed = false);

public sealed record CycleReport(string BaseSha, bool DryRun, IReadOnlyList<CycleLine> Lines)
{
    public bool HasFailures => Lines.Any(l => l.Failed);

    /// <summary>Per canary: decision, cause, weights and error rates (metrics and decision logs of the worker).</summary>
    public IReadOnlyList<CanaryObservation> Canaries { get; init; } = [];

    /// <summary>Bot pull requests open on GitHub as the cycle listed them, before its own changes.</summary>
    public IReadOnlyList<OpenPullRequestKind> OpenPullRequests { get; init; } = [];

    public void WriteSummary(TextWriter output)
    {
        output.WriteLine($"promotion cycle on {BaseSha[..Math.Min(12, BaseSha.Length)]}{(DryRun ? " (dry run: nothing changed)" : "")}");
        if (Lines.Count == 0)
        {
            output.WriteLine("no canaries found");
            return;
        }

        var w1 = Math.Max(6, Lines.Max(l => l.Canary.Length));
        var w2 = Math.Max(8, Lines.Max(l => l.Decision.Length));
        var w3 = Math.Max(6, Lines.Max(l => l.Action.Length));
        output.WriteLine($"{"CANARY".PadRight(w1)}  {"DECISION".PadRight(w2)}  {"ACTION".PadRight(w3)}  REASON");
        foreach (var l in Lines)
        {
            output.WriteLine($"{l.Canary.PadRight(w1)}  {l.Decision.PadRight(w2)}  {l.Action.PadRight(w3)}  {l.Reason}");
        }
    }
}
