namespace PromotionBot.Bench;

/// <summary>What was measured for one fleet size. Times in milliseconds, one entry per timed run.</summary>
internal sealed record SizeResult(
    int Canaries,
    int TimingGroups,
    IReadOnlyList<int> QueriesPerCycle,
    IReadOnlyList<double> BotMs,
    IReadOnlyList<double> DirectMs,
    double FirstCycleMs,
    string Decisions,
    long AnswerBytes,
    int AnswerSeries,
    int QueryChars,
    IReadOnlyList<double> BuildMs,
    IReadOnlyList<double> ParseMs,
    IReadOnlyList<double> ClientMs,
    IReadOnlyList<double> CannedMs,
    IReadOnlyList<string> LastCycleLog,
    string LoadBefore,
    string LoadAfter)
{
    public double Ratio => Stats.Median(BotMs) / Stats.Median(DirectMs);
}
