using System.Globalization;

namespace PromotionBot.Policy;

/// <summary>
/// Compressed time for demos and tests (Policy:TimeScale, <c>analyze --time-scale</c>): a policy's durations divided
/// by a factor when it loads, the repository's files unchanged. Results stay whole seconds of at least 1 s (PromQL
/// range selectors take nothing shorter), and interval × failureThreshold still fits in the window.
/// </summary>
public static class PolicyTimeScale
{
    public const double None = 1;

    /// <summary>Null when <paramref name="factor"/> is usable, else why not (naming <paramref name="key"/>).</summary>
    public static string? Problem(double factor, string key) =>
        double.IsFinite(factor) && factor >= 1 ? null
            : $"{key} must be a number of at least 1 (every policy duration is divided by it), got {factor.ToString(CultureInfo.InvariantCulture)}.";

    /// <summary>"time ×20", the words the PR body and the logs use.</summary>
    public static string Describe(double factor) => $"time ×{factor.ToString("0.###", CultureInfo.InvariantCulture)}";

    /// <summary>The warning printed or logged at start when the factor is not 1.</summary>
    public static string Warning(double factor, string key) =>
        $"{key} is {factor.ToString("0.###", CultureInfo.InvariantCulture)}: every policy duration is divided by it ({Describe(factor)}: " +
        $"a 10m window is judged over {Durations.Format(Scale(TimeSpan.FromMinutes(10), factor, Math.Ceiling))}). For demos and tests, not production.";

    public static CanaryPolicy Apply(CanaryPolicy policy, double factor)
    {
        if (Problem(factor, "time scale") is { } problem)
        {
            throw new ArgumentOutOfRangeException(nameof(factor), factor, problem);
        }

        if (factor == None)
        {
            return policy;
        }

        var a = policy.Analysis;
        // Interval rounded down and window up: interval × failureThreshold ≤ window holds after scaling as before.
        var interval = Scale(a.Interval, factor, Math.Floor);
        var window = Scale(a.Window, factor, Math.Ceiling);
        var persistence = interval * a.FailureThreshold;
        return policy with
        {
            Analysis = a with
            {
                Window = window < persistence ? persistence : window,
                Interval = interval,
                MaxStaleness = Scale(a.MaxStaleness, factor, Math.Round),
                TimeScale = factor,
            },
        };
    }

    private static TimeSpan Scale(TimeSpan span, double factor, Func<double, double> round) =>
        TimeSpan.FromSeconds(Math.Max(1, round(span.TotalSeconds / factor)));
}
