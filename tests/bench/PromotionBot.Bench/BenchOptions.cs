using System.Globalization;

namespace PromotionBot.Bench;

/// <summary>Command line: <c>--canaries N</c> (largest fleet, default 500), <c>--runs R</c> (timed runs per size, default 5), <c>--keep</c>.</summary>
internal sealed record BenchOptions(int Canaries, int Runs, bool Keep)
{
    /// <summary>The fleet sizes measured: 1, 50 and 500, up to <see cref="Canaries"/> (and <see cref="Canaries"/> itself).</summary>
    public IReadOnlyList<int> Sizes => new[] { 1, 50, 500, Canaries }.Where(n => n <= Canaries).Distinct().Order().ToList();

    public static BenchOptions Parse(string[] args) =>
        new(Int(args, "--canaries", 500), Math.Max(1, Int(args, "--runs", 5)), args.Contains("--keep"));

    private static int Int(string[] args, string name, int fallback)
    {
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? int.Parse(args[i + 1], CultureInfo.InvariantCulture) : fallback;
    }
}
