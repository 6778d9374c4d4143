using PromotionBot.Analysis;
using Xunit;

namespace PromotionBot.Tests.Analysis;

/// <summary>
/// Reference values worked out by hand from the formulas in <see cref="ErrorRateComparison"/> (z for 99 % two-sided is
/// 2.5758293, z² = 6.634897; for 95 % z = 1.9599640, z² = 3.841459).
/// </summary>
public sealed class ErrorRateComparisonTests
{
    private const double Tolerance = 1e-6;

    [Theory]
    [InlineData(0.995, 2.5758293035489)]
    [InlineData(0.975, 1.959963984540054)]
    [InlineData(0.5, 0)]
    [InlineData(0.01, -2.326347874040841)]
    public void Normal_quantiles_match_the_tables(double p, double z) =>
        Assert.Equal(z, ErrorRateComparison.NormalQuantile(p), 1e-8);

    [Fact]
    public void Wilson_upper_bound_at_zero_errors_is_z_squared_over_n_plus_z_squared()
    {
        // p = 0: centre = (z²/2n)/(1+z²/n), half = z/(1+z²/n)·z/2n, so upper = z²/(n+z²) = 6.634897/1006.634897 = 0.0065912.
        var (lower, upper) = ErrorRateComparison.Wilson(0, 1000, 2.5758293035489);
        Assert.Equal(0, lower, 12);
        Assert.Equal(0.006591165, upper, Tolerance);

        // 95 %, n = 100: 3.841459/103.841459 = 0.0369935.
        Assert.Equal(0.036993498, ErrorRateComparison.Wilson(0, 100, 1.959963984540054).Upper, Tolerance);
    }

    [Fact]
    public void No_errors_on_either_side_with_little_data_is_inconclusive_not_worse_and_not_fine()
    {
        // d = 0; L = −√(0 + u₁²) = −0.0065912, U = +0.0065912 > δ = 0.005.
        var c = ErrorRateComparison.Compare(0, 1000, 0, 1000, 0.99, 0.005);
        Assert.Equal(0, c.Difference, 12);
        Assert.Equal(-0.006591165, c.Lower, Tolerance);
        Assert.Equal(0.006591165, c.Upper, Tolerance);
        Assert.Equal(ComparisonVerdict.Inconclusive, c.Verdict);
    }

    [Fact]
    public void Nine_times_the_stable_error_rate_on_ten_thousand_requests_is_significantly_worse()
    {
        // p₂ = 0.009 (Wilson 0.0068720…0.0117791), p₁ = 0.001 (0.0004523…0.0022094), d = 0.008:
        // L = 0.008 − √(0.0021280² + 0.0012094²) = 0.0055524, U = 0.008 + √(0.0027791² + 0.0005477²) = 0.0108325.
        var c = ErrorRateComparison.Compare(90, 10000, 10, 10000, 0.99, 0.005);
        Assert.Equal(0.008, c.Difference, 12);
        Assert.Equal(0.005552372, c.Lower, Tolerance);
        Assert.Equal(0.010832526, c.Upper, Tolerance);
        Assert.Equal(ComparisonVerdict.Worse, c.Verdict);
        Assert.Equal("v2 0.90 % vs v1 0.10 %: +0.80 pp (99 % CI +0.56…+1.08), more than the allowed +0.50 pp", DecisionEngine.Describe(c, "v1", "v2"));
    }

    [Fact]
    public void The_same_rates_on_a_tenth_of_the_traffic_cannot_tell()
    {
        // 9/1000 vs 1/1000: L = −0.0010293, U = 0.0195922: the interval straddles δ.
        var c = ErrorRateComparison.Compare(9, 1000, 1, 1000, 0.99, 0.005);
        Assert.Equal(-0.001029253, c.Lower, Tolerance);
        Assert.Equal(0.019592168, c.Upper, Tolerance);
        Assert.Equal(ComparisonVerdict.Inconclusive, c.Verdict);
    }

    [Fact]
    public void A_canary_as_good_as_the_stable_on_enough_traffic_is_not_worse()
    {
        // 5/6000 vs 40/40000: d = −0.0001667, U = 0.0015240 ≤ 0.005.
        var c = ErrorRateComparison.Compare(5, 6000, 40, 40000, 0.99, 0.005);
        Assert.Equal(-0.000166667, c.Difference, Tolerance);
        Assert.Equal(0.001523981, c.Upper, Tolerance);
        Assert.Equal(ComparisonVerdict.NotWorse, c.Verdict);
    }

    [Fact]
    public void Fractional_counts_from_increase_are_accepted_and_bounds_stay_in_range()
    {
        var c = ErrorRateComparison.Compare(1199.98, 1199.98, 0, 4800.02, 0.99, 0.005);
        Assert.InRange(c.Lower, -1, 1);
        Assert.InRange(c.Upper, -1, 1);
        Assert.Equal(ComparisonVerdict.Worse, c.Verdict);
    }
}
