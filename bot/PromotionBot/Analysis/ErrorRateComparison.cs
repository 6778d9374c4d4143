namespace PromotionBot.Analysis;

/// <summary>Outcome of the v2-versus-v1 error comparison, in words a reviewer can act on.</summary>
public enum ComparisonVerdict
{
    /// <summary>The upper confidence bound of v2 − v1 is within the allowed increase: v2 is no worse.</summary>
    NotWorse,

    /// <summary>The lower confidence bound of v2 − v1 exceeds the allowed increase: v2 is significantly worse.</summary>
    Worse,

    /// <summary>The interval straddles the allowed increase: too little data to tell.</summary>
    Inconclusive,
}

/// <summary>
/// v2 − v1 difference of 5xx proportions with its confidence interval (Newcombe's hybrid score interval, method 10,
/// built from two Wilson score intervals) and the verdict against the allowed increase.
/// </summary>
/// <param name="CanaryErrors">5xx responses of the canary (x₂) out of <paramref name="CanaryRequests"/> (n₂).</param>
/// <param name="StableErrors">5xx responses of the stable (x₁) out of <paramref name="StableRequests"/> (n₁).</param>
/// <param name="Difference">p₂ − p₁.</param>
/// <param name="Lower">Lower bound of the two-sided interval at <paramref name="Confidence"/>.</param>
/// <param name="Upper">Upper bound of the two-sided interval at <paramref name="Confidence"/>.</param>
/// <param name="MaxIncrease">Allowed increase δ (maxErrorRateIncrease).</param>
/// <param name="SustainedWorse">True when every one of the last failureThreshold intervals, on its own, was also significantly worse.</param>
public sealed record ComparisonResult(
    double CanaryErrors,
    double CanaryRequests,
    double StableErrors,
    double StableRequests,
    double Difference,
    double Lower,
    double Upper,
    double Confidence,
    double MaxIncrease,
    ComparisonVerdict Verdict,
    bool SustainedWorse = false)
{
    public double CanaryRate => CanaryRequests > 0 ? CanaryErrors / CanaryRequests : 0;

    public double StableRate => StableRequests > 0 ? StableErrors / StableRequests : 0;
}

/// <summary>
/// Non-inferiority of the canary's 5xx proportion against the stable's.
/// </summary>
/// <remarks>
/// Wilson score interval for one proportion p = x/n at normal quantile z:
///   centre = (p + z²/2n) / (1 + z²/n),  half = z / (1 + z²/n) · √(p(1−p)/n + z²/4n²).
/// Newcombe's interval for d = p₂ − p₁ from the Wilson bounds (l₁,u₁), (l₂,u₂):
///   L = d − √((p₂ − l₂)² + (u₁ − p₁)²),  U = d + √((u₂ − p₂)² + (p₁ − l₁)²).
/// It stays inside [−1, 1] and is informative at 0 errors (a Wald interval collapses to a point there).
/// The interval is two-sided at the configured confidence c, so each one-sided decision ("U ≤ δ": not worse,
/// "L &gt; δ": worse) is a test at level (1 − c)/2: conservative in both directions.
/// </remarks>
public static class ErrorRateComparison
{
    public static ComparisonResult Compare(double canaryErrors, double canaryRequests, double stableErrors, double stableRequests, double confidence, double maxIncrease)
    {
        var z = NormalQuantile(1 - ((1 - confidence) / 2));
        var p2 = Proportion(canaryErrors, canaryRequests);
        var p1 = Proportion(stableErrors, stableRequests);
        var (l2, u2) = Wilson(p2, canaryRequests, z);
        var (l1, u1) = Wilson(p1, stableRequests, z);
        var d = p2 - p1;
        var lower = d - Math.Sqrt(Square(p2 - l2) + Square(u1 - p1));
        var upper = d + Math.Sqrt(Square(u2 - p2) + Square(p1 - l1));
        var verdict = upper <= maxIncrease ? ComparisonVerdict.NotWorse
            : lower > maxIncrease ? ComparisonVerdict.Worse
            : ComparisonVerdict.Inconclusive;
        return new ComparisonResult(canaryErrors, canaryRequests, stableErrors, stableRequests, d, lower, upper, confidence, maxIncrease, verdict);
    }

    /// <summary>Wilson score interval; with n = 0 nothing is known: [0, 1].</summary>
    public static (double Lower, double Upper) Wilson(double p, double n, double z)
    {
        if (n <= 0)
        {
            return (0, 1);
        }

        var z2 = z * z;
        var denominator = 1 + (z2 / n);
        var centre = (p + (z2 / (2 * n))) / denominator;
        var half = z / denominator * Math.Sqrt((p * (1 - p) / n) + (z2 / (4 * n * n)));
        return (Math.Max(0, centre - half), Math.Min(1, centre + half));
    }

    /// <summary>Inverse standard normal CDF (Acklam's rational approximation, relative error below 1.2e-9).</summary>
    public static double NormalQuantile(double p)
    {
        if (p is <= 0 or >= 1)
        {
            throw new ArgumentOutOfRangeException(nameof(p), p, "must be strictly between 0 and 1");
        }

        double[] a = [-3.969683028665376e+01, 2.209460984245205e+02, -2.759285104469687e+02, 1.383577518672690e+02, -3.066479806614716e+01, 2.506628277459239e+00];
        double[] b = [-5.447609879822406e+01, 1.615858368580409e+02, -1.556989798598866e+02, 6.680131188771972e+01, -1.328068155288572e+01];
        double[] c = [-7.784894002430293e-03, -3.223964580411365e-01, -2.400758277161838e+00, -2.549732539343734e+00, 4.374664141464968e+00, 2.938163982698783e+00];
        double[] d = [7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e+00, 3.754408661907416e+00];
        const double low = 0.02425;
        if (p < low)
        {
            var q = Math.Sqrt(-2 * Math.Log(p));
            return (((((((c[0] * q) + c[1]) * q) + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) / ((((((d[0] * q) + d[1]) * q) + d[2]) * q + d[3]) * q + 1);
        }

        if (p > 1 - low)
        {
            return -NormalQuantile(1 - p);
        }

        var r = p - 0.5;
        var s = r * r;
        return (((((((a[0] * s) + a[1]) * s) + a[2]) * s + a[3]) * s + a[4]) * s + a[5]) * r / (((((((b[0] * s) + b[1]) * s) + b[2]) * s + b[3]) * s + b[4]) * s + 1);
    }

    private static double Proportion(double x, double n) => n > 0 ? Math.Clamp(x / n, 0, 1) : 0;

    private static double Square(double x) => x * x;
}
