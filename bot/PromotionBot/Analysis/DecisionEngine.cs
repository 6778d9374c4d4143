using System.Globalization;
using PromotionBot.Manifest;
using PromotionBot.Metrics;
using PromotionBot.Policy;

namespace PromotionBot.Analysis;

/// <summary>
/// The verdict for one canary: a pure function of policy, weights in git, signals and evaluation time, so a cycle can be replayed.
/// Order matters: circuit breaking first (no persistence needed), then the data's freshness, then sustained metric breaches,
/// then sample size; only when everything passes does the canary move — never on missing, stale, NaN or too little data.
/// </summary>
public static class DecisionEngine
{
    public static Decision Decide(CanaryPolicy policy, RouteWeights weights, CanarySignals signals)
    {
        var stable = policy.Stable;
        var canary = policy.Canary;
        var current = new Dictionary<string, int> { [stable] = weights.Of(stable), [canary] = weights.Of(canary) };
        var canaryWeight = current[canary];
        var a = policy.Analysis;
        var reasons = new List<string>();

        if (signals.Unavailable is { } unavailable)
        {
            var noData = new List<CheckResult>
            {
                new("request-count", canary, null, a.MinRequests, CheckOutcome.NoData, "Prometheus unavailable"),
            };
            return Hold(HoldReason.MetricsUnavailable, [$"metrics unavailable, holding: {unavailable}"], noData, [DecisionCause.MetricsUnavailable]);
        }

        var v2 = signals.Of(canary) ?? Empty(canary);
        var v1 = signals.Of(stable) ?? Empty(stable);
        var checks = new List<CheckResult>();

        // Circuit breaking: Envoy already shields users from v2; the bot makes it permanent in git.
        var ejections = Max(v2.EjectionsActiveMax, v2.EjectionsEnforced);
        var overflow = Sum(v2.PendingOverflow, v2.ConnectionOverflow, v2.OverflowResponses);
        var ejected = policy.CircuitBreaking.OutlierEjection && ejections > 0;
        var overflowed = policy.CircuitBreaking.ConnectionPoolOverflow && overflow > 0;
        if (policy.CircuitBreaking.OutlierEjection)
        {
            checks.Add(new("outlier-ejection", canary, ejections, 0, ejections is null ? CheckOutcome.NoData : ejected ? CheckOutcome.Fail : CheckOutcome.Pass,
                ejections is null ? "no Envoy outlier stats for the canary cluster (is proxyStatsMatcher set?)" : $"max active {Fmt(v2.EjectionsActiveMax)}, enforced {Fmt(v2.EjectionsEnforced)} in {Durations.Format(a.Window)}"));
        }

        if (policy.CircuitBreaking.ConnectionPoolOverflow)
        {
            checks.Add(new("connection-pool-overflow", canary, overflow, 0, overflow is null ? CheckOutcome.NoData : overflowed ? CheckOutcome.Fail : CheckOutcome.Pass,
                overflow is null ? "no Envoy overflow stats for the canary cluster" : $"pending {Fmt(v2.PendingOverflow)}, connection {Fmt(v2.ConnectionOverflow)}, UO responses {Fmt(v2.OverflowResponses)} in {Durations.Format(a.Window)}"));
        }

        var age = signals.NewestSample is { } newest ? signals.EvaluatedAt - newest : (TimeSpan?)null;
        var fresh = age is { } knownAge && knownAge <= a.MaxStaleness;
        checks.Add(new("metrics-freshness", canary, age?.TotalSeconds, a.MaxStaleness.TotalSeconds, age is null ? CheckOutcome.NoData : fresh ? CheckOutcome.Pass : CheckOutcome.Fail,
            age is null ? $"no istio_requests_total sample for {policy.Service} in the last 5m" : $"newest sample {Durations.Format(age.Value)} before evaluation"));

        var canaryRate = v2.ErrorRate;
        var stableRate = v1.ErrorRate;
        checks.Add(RateCheck(canary, v2, a));
        checks.Add(LatencyCheck(canary, v2, a));
        checks.Add(RateCheck(stable, v1, a));
        checks.Add(LatencyCheck(stable, v1, a));
        checks.Add(new("request-count", canary, v2.Requests ?? 0, a.MinRequests, (v2.Requests ?? 0) >= a.MinRequests ? CheckOutcome.Pass : v2.Requests is null ? CheckOutcome.NoData : CheckOutcome.Fail,
            $"{Count(v2.Requests ?? 0)} requests in {Durations.Format(a.Window)}, {a.MinRequests} needed"));

        if (ejected || overflowed)
        {
            var what = ejected && overflowed ? "outlier ejection and connection-pool overflow" : ejected ? "outlier ejection" : "connection-pool overflow";
            List<DecisionCause> breakers = [.. ejected ? [DecisionCause.OutlierEjection] : Array.Empty<DecisionCause>(), .. overflowed ? [DecisionCause.ConnectionPoolOverflow] : Array.Empty<DecisionCause>()];
            return canaryWeight == 0
                ? Hold(HoldReason.RolledBack, [$"circuit breaking on {canary} ({what}), and {canary} already gets 0%"], checks, [DecisionCause.RolledBack, .. breakers])
                : Rollback($"circuit breaking on {canary}: {what} in the last {Durations.Format(a.Window)}", breakers);
        }

        if (!fresh)
        {
            return Hold(HoldReason.MetricsStale, [age is null
                ? $"metrics stale or missing: no sample for {policy.Namespace}/{policy.Service} near the evaluation time"
                : $"metrics stale: newest sample is {Durations.Format(age.Value)} old (max {Durations.Format(a.MaxStaleness)})"], checks, [DecisionCause.MetricsStale]);
        }

        // A sustained breach forces a rollback — unless the stable subset fails as badly, which points away from the canary.
        var errorBreach = canaryRate > a.MaxErrorRate;
        var latencyBreach = v2.P99LatencyMs > a.MaxP99LatencyMs;
        var sustainedError = errorBreach && v2.PersistentErrorRate > a.MaxErrorRate;
        var sustainedLatency = latencyBreach && v2.PersistentP99LatencyMs > a.MaxP99LatencyMs;
        var stableAsBadErrors = stableRate is { } sr && canaryRate is { } cr && sr >= cr;
        var stableAsBadLatency = v1.P99LatencyMs is { } sl && v2.P99LatencyMs is { } cl && sl >= cl;
        if (stableRate > a.MaxErrorRate && !errorBreach)
        {
            reasons.Add($"{stable} is above the error ceiling ({Pct(stableRate)}) while {canary} is not ({Pct(canaryRate)}): not attributed to {canary}");
        }

        if ((sustainedError && !stableAsBadErrors) || (sustainedLatency && !stableAsBadLatency))
        {
            var what = new List<string>();
            var failures = new List<DecisionCause>();
            if (sustainedError && !stableAsBadErrors)
            {
                failures.Add(DecisionCause.ErrorRate);
                what.Add($"5xx rate {Pct(canaryRate)} > {Pct(a.MaxErrorRate)} (vs {stable} {Pct(stableRate)}), sustained for {a.FailureThreshold} × {Durations.Format(a.Interval)}");
            }

            if (sustainedLatency && !stableAsBadLatency)
            {
                failures.Add(DecisionCause.Latency);
                what.Add($"p99 {Fmt(v2.P99LatencyMs)} ms > {Fmt(a.MaxP99LatencyMs)} ms (vs {stable} {Fmt(v1.P99LatencyMs)} ms), sustained for {a.FailureThreshold} × {Durations.Format(a.Interval)}");
            }

            return canaryWeight == 0
                ? Hold(HoldReason.RolledBack, [$"{canary} failing ({string.Join("; ", what)}), and {canary} already gets 0%"], checks, [DecisionCause.RolledBack, .. failures])
                : Rollback($"{canary} failing: {string.Join("; ", what)}", failures);
        }

        if (canaryWeight == 0)
        {
            return Hold(HoldReason.RolledBack, [$"{canary} gets 0% in git: nothing to promote until a person restarts the canary"], checks, [DecisionCause.RolledBack]);
        }

        if (canaryWeight >= 100)
        {
            return Hold(HoldReason.AlreadyPromoted, [$"{canary} already gets 100%: promotion complete"], checks, [DecisionCause.AlreadyPromoted]);
        }

        if (errorBreach || latencyBreach)
        {
            var both = (errorBreach && stableAsBadErrors) || (latencyBreach && stableAsBadLatency);
            return Hold(both ? HoldReason.None : HoldReason.BreachNotPersistent, [both
                ? $"{canary} is above a ceiling, but {stable} is as bad or worse: likely a shared cause, holding"
                : $"{canary} above a ceiling but not for {a.FailureThreshold} consecutive {Durations.Format(a.Interval)} intervals yet: holding, not rolling back"], checks, [both ? DecisionCause.StableAsBad : DecisionCause.BreachNotPersistent]);
        }

        if (v2.Requests is null or <= 0)
        {
            var hint = signals.UnattributedOverflowResponses > 0 ? $" ({Fmt(signals.UnattributedOverflowResponses)} client-side UO failures for the service could not be attributed to a subset)" : "";
            return Hold(HoldReason.NoTraffic, [$"no traffic: {canary} served no requests in {Durations.Format(a.Window)}{hint}"], checks, [DecisionCause.NoTraffic]);
        }

        if (v2.Requests < a.MinRequests)
        {
            return Hold(HoldReason.TooLittleTraffic, [$"too little traffic: {Count(v2.Requests)} {canary} requests in {Durations.Format(a.Window)}, {a.MinRequests} needed"], checks, [DecisionCause.TooLittleTraffic]);
        }

        if (canaryRate is null || v2.P99LatencyMs is null)
        {
            return Hold(HoldReason.MetricsUnavailable, [$"incomplete metrics for {canary}: {(canaryRate is null ? "error rate" : "p99 latency")} has no data"], checks, [DecisionCause.MetricsUnavailable]);
        }

        var nextStep = policy.Steps.FirstOrDefault(s => s > canaryWeight, 100);
        var next = new Dictionary<string, int> { [stable] = 100 - nextStep, [canary] = nextStep };
        reasons.Insert(0, $"{canary} healthy on {Count(v2.Requests)} requests: 5xx {Pct(canaryRate)} ≤ {Pct(a.MaxErrorRate)}, p99 {Fmt(v2.P99LatencyMs)} ms ≤ {Fmt(a.MaxP99LatencyMs)} ms, no circuit breaking");
        return new Decision(nextStep == 100 ? DecisionKind.Promote : DecisionKind.Advance, HoldReason.None, current, next, reasons, checks);

        Decision Hold(HoldReason why, IEnumerable<string> because, IReadOnlyList<CheckResult> evidence, IReadOnlyList<DecisionCause> causes) =>
            new(DecisionKind.Hold, why, current, null, [.. because, .. reasons], evidence, causes);

        Decision Rollback(string because, IReadOnlyList<DecisionCause> causes) =>
            new(DecisionKind.Rollback, HoldReason.None, current, new Dictionary<string, int> { [stable] = 100, [canary] = 0 }, [because, .. reasons], checks, causes);
    }

    private static CheckResult RateCheck(string subset, SubsetSignals s, AnalysisSettings a)
    {
        var rate = s.ErrorRate;
        return new("error-rate", subset, rate, a.MaxErrorRate,
            rate is null ? CheckOutcome.NoData : rate > a.MaxErrorRate ? CheckOutcome.Fail : CheckOutcome.Pass,
            rate is null ? "no requests" : $"{Fmt(s.Errors)} 5xx of {Fmt(s.Requests)}; lowest of last {a.FailureThreshold} intervals {Pct(s.PersistentErrorRate)}");
    }

    private static CheckResult LatencyCheck(string subset, SubsetSignals s, AnalysisSettings a) =>
        new("latency-p99", subset, s.P99LatencyMs, a.MaxP99LatencyMs,
            s.P99LatencyMs is null ? CheckOutcome.NoData : s.P99LatencyMs > a.MaxP99LatencyMs ? CheckOutcome.Fail : CheckOutcome.Pass,
            s.P99LatencyMs is null ? "no requests" : $"p99 {Fmt(s.P99LatencyMs)} ms; lowest of last {a.FailureThreshold} intervals {Fmt(s.PersistentP99LatencyMs)} ms");

    private static SubsetSignals Empty(string subset) => new(subset, null, null, null, null, null, null, null, null, null, null);

    private static double? Max(double? x, double? y) => x is null ? y : y is null ? x : Math.Max(x.Value, y.Value);

    private static double? Sum(params double?[] values) => values.All(v => v is null) ? null : values.Sum(v => v ?? 0);

    internal static string Fmt(double? v) => v switch
    {
        null => "n/a",
        { } x when double.IsPositiveInfinity(x) => "+Inf",
        { } x when Math.Abs(x - Math.Round(x)) < 0.005 => Math.Round(x).ToString("0", CultureInfo.InvariantCulture),
        { } x => x.ToString("0.##", CultureInfo.InvariantCulture),
    };

    /// <summary>increase() extrapolates, so request counts come back fractional; people read whole requests.</summary>
    internal static string Count(double? v) => v is null ? "n/a" : Math.Round(v.Value).ToString("0", CultureInfo.InvariantCulture);

    internal static string Pct(double? v) => v is null ? "n/a" : (v.Value * 100).ToString("0.##", CultureInfo.InvariantCulture) + "%";
}
