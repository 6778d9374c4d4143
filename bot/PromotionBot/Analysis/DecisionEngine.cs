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

        // Crash and readiness failures: callers' requests fail in their own proxies (UH/UF/URX) and no v2 pod ever reports them.
        var f = a.FailureThreshold;
        var endpointsKnown = v2.HealthyEndpoints is not null && v2.MembershipIntervals >= f;
        var noHealthy = endpointsKnown && v2.HealthyEndpoints == 0;
        var failingBefore = v2.SustainedFailuresBeforeReaching > 0;
        var stableFailingBefore = v1.SustainedFailuresBeforeReaching > 0;
        checks.Add(new("healthy-endpoints", canary, v2.HealthyEndpoints, 1, v2.HealthyEndpoints is null ? CheckOutcome.NoData : v2.HealthyEndpoints == 0 ? CheckOutcome.Fail : CheckOutcome.Pass,
            v2.HealthyEndpoints is null ? "no Envoy membership stats for the canary cluster (is proxyStatsMatcher set?)"
                : $"at most {Fmt(v2.HealthyEndpoints)} healthy of {Fmt(v2.TotalEndpoints)} endpoints in the last {f} × {Durations.Format(a.Interval)}"));
        checks.Add(new("failures-before-reaching", canary, v2.SustainedFailuresBeforeReaching, 0,
            v2.SustainedFailuresBeforeReaching is null ? CheckOutcome.NoData : failingBefore ? CheckOutcome.Fail : CheckOutcome.Pass,
            $"no healthy host {Fmt(v2.NoHealthyFailures)}, connect failures {Fmt(v2.ConnectFailures)} in {Durations.Format(a.Window)}; lowest per interval {Fmt(v2.SustainedFailuresBeforeReaching)}"));
        if (canaryWeight > 0 && (noHealthy || (failingBefore && !stableFailingBefore)))
        {
            var seen = CrashEvidence(policy, v2, signals);
            if (v2.AppearedWithinInterval)
            {
                return Hold(HoldReason.CanaryStarting, [$"{canary} appeared less than {Durations.Format(a.Interval)} ago and is not serving yet ({seen}): holding while it starts"], checks, [DecisionCause.CanaryStarting]);
            }

            List<DecisionCause> crash = [.. noHealthy ? [DecisionCause.NoHealthyEndpoints] : Array.Empty<DecisionCause>(), .. failingBefore ? [DecisionCause.UpstreamFailures] : Array.Empty<DecisionCause>()];
            var what = noHealthy ? $"{canary} has no healthy endpoints" : $"callers' requests to {canary} fail before reaching it";
            return Rollback($"{what} while it gets {canaryWeight}%, for {f} × {Durations.Format(a.Interval)}: {seen}", crash);
        }

        if (canaryWeight > 0 && failingBefore && stableFailingBefore)
        {
            reasons.Add($"requests to both {stable} and {canary} fail before reaching a pod: likely a shared cause, not attributed to {canary}");
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

        // v2 against v1: a difference of proportions with a confidence interval, not just two ceilings.
        var cmpSettings = a.Comparison;
        ComparisonResult? comparison = null;
        if (cmpSettings.Enabled && v2.Requests is > 0 && v1.Requests is > 0)
        {
            var sustained = v2.WindowHistory.Count >= f && v1.WindowHistory.Count >= f && Enumerable.Range(0, f).All(k =>
                ErrorRateComparison.Compare(v2.WindowHistory[k].Errors, v2.WindowHistory[k].Requests, v1.WindowHistory[k].Errors, v1.WindowHistory[k].Requests,
                    cmpSettings.Confidence, cmpSettings.MaxErrorRateIncrease).Verdict == ComparisonVerdict.Worse);
            comparison = ErrorRateComparison.Compare(v2.Errors ?? 0, v2.Requests.Value, v1.Errors ?? 0, v1.Requests.Value, cmpSettings.Confidence, cmpSettings.MaxErrorRateIncrease)
                with { SustainedWorse = sustained };
            checks.Add(new("error-rate-vs-stable", canary, comparison.Difference, cmpSettings.MaxErrorRateIncrease,
                comparison.Verdict switch { ComparisonVerdict.NotWorse => CheckOutcome.Pass, ComparisonVerdict.Worse => CheckOutcome.Fail, _ => CheckOutcome.NoData },
                Describe(comparison, stable, canary)));
        }

        var latencyRatio = v1.P99LatencyMs is > 0 && v2.P99LatencyMs is { } p2 ? p2 / v1.P99LatencyMs : null;
        var sustainedRatio = v1.P99LatencyMs is > 0 && v2.PersistentP99LatencyMs is { } pp2 ? pp2 / v1.P99LatencyMs : null;
        if (cmpSettings is { Enabled: true, MaxLatencyIncreaseRatio: { } maxRatio })
        {
            checks.Add(new("latency-vs-stable", canary, latencyRatio, maxRatio, latencyRatio is null ? CheckOutcome.NoData : latencyRatio > maxRatio ? CheckOutcome.Fail : CheckOutcome.Pass,
                latencyRatio is null ? "no p99 for both subsets" : $"p99 {canary} {Fmt(v2.P99LatencyMs)} ms / {stable} {Fmt(v1.P99LatencyMs)} ms = {latencyRatio:0.##}×; lowest of last {f} intervals {sustainedRatio:0.##}×"));
        }

        if (comparison is { Verdict: ComparisonVerdict.Worse, SustainedWorse: true })
        {
            return Rollback($"{canary} is worse than {stable}: {Describe(comparison, stable, canary)}, at each of the last {f} interval ends", [DecisionCause.WorseThanStable]) with { Comparison = comparison };
        }

        if (cmpSettings.MaxLatencyIncreaseRatio is { } ratioCeiling && latencyRatio > ratioCeiling && sustainedRatio > ratioCeiling)
        {
            return Rollback($"{canary} is slower than {stable}: p99 {Fmt(v2.P99LatencyMs)} ms vs {Fmt(v1.P99LatencyMs)} ms = {latencyRatio:0.##}× > {ratioCeiling:0.##}×, sustained for {f} × {Durations.Format(a.Interval)}",
                [DecisionCause.LatencyWorseThanStable]) with { Comparison = comparison };
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

        if (comparison is not null && comparison.Verdict != ComparisonVerdict.NotWorse)
        {
            var why = comparison.Verdict == ComparisonVerdict.Worse
                ? $"not yet at each of the last {f} interval ends, holding"
                : "not enough data to show it at this confidence, holding";
            return Hold(HoldReason.ComparisonInconclusive, [$"{canary} not shown to be no worse than {stable}: {Describe(comparison, stable, canary)}; {why}"], checks,
                [DecisionCause.ComparisonInconclusive]) with { Comparison = comparison };
        }

        var nextStep = policy.Steps.FirstOrDefault(s => s > canaryWeight, 100);
        var next = new Dictionary<string, int> { [stable] = 100 - nextStep, [canary] = nextStep };
        reasons.Insert(0, $"{canary} healthy on {Count(v2.Requests)} requests: 5xx {Pct(canaryRate)} ≤ {Pct(a.MaxErrorRate)}, p99 {Fmt(v2.P99LatencyMs)} ms ≤ {Fmt(a.MaxP99LatencyMs)} ms, no circuit breaking");
        if (comparison is not null)
        {
            reasons.Add(Describe(comparison, stable, canary));
        }

        return new Decision(nextStep == 100 ? DecisionKind.Promote : DecisionKind.Advance, HoldReason.None, current, next, reasons, checks, [], comparison);

        Decision Hold(HoldReason why, IEnumerable<string> because, IReadOnlyList<CheckResult> evidence, IReadOnlyList<DecisionCause> causes) =>
            new(DecisionKind.Hold, why, current, null, [.. because, .. reasons], evidence, causes);

        Decision Rollback(string because, IReadOnlyList<DecisionCause> causes) =>
            new(DecisionKind.Rollback, HoldReason.None, current, new Dictionary<string, int> { [stable] = 100, [canary] = 0 }, [because, .. reasons], checks, causes);
    }

    /// <summary>The comparison in words, e.g. "v2 0.90 % vs v1 0.10 %: +0.80 pp (99 % CI +0.2…+1.4), more than the allowed +0.5 pp".</summary>
    public static string Describe(ComparisonResult c, string stable, string canary)
    {
        var verdict = c.Verdict switch
        {
            ComparisonVerdict.NotWorse => "within",
            ComparisonVerdict.Worse => "more than",
            _ => "cannot tell yet whether within",
        };
        return $"{canary} {Percent2(c.CanaryRate)} vs {stable} {Percent2(c.StableRate)}: {Pp(c.Difference)} pp " +
               $"({Math.Round(c.Confidence * 100, 1).ToString("0.#", CultureInfo.InvariantCulture)} % CI {Pp(c.Lower)}…{Pp(c.Upper)}), {verdict} the allowed {Pp(c.MaxIncrease)} pp";
    }

    private static string Percent2(double ratio) => (ratio * 100).ToString("0.00", CultureInfo.InvariantCulture) + " %";

    private static string Pp(double difference) => (difference * 100).ToString("+0.00;-0.00;0.00", CultureInfo.InvariantCulture);

    private static string CrashEvidence(CanaryPolicy policy, SubsetSignals v2, CanarySignals signals)
    {
        var parts = new List<string>
        {
            $"healthy endpoints {Fmt(v2.HealthyEndpoints)}/{Fmt(v2.TotalEndpoints)}",
            $"no healthy host {Count(v2.NoHealthyFailures ?? 0)}",
            $"connect failures {Count(v2.ConnectFailures ?? 0)}",
        };
        if (v2.UpstreamRq503 is { } r503)
        {
            parts.Add($"503 to callers {Count(r503)}");
        }

        if (signals.UnattributedFailuresByFlag.Count > 0)
        {
            parts.Add($"callers' failed requests to {policy.Service} by flag: {string.Join(", ", signals.UnattributedFailuresByFlag.Select(kv => $"{kv.Key} {Count(kv.Value)}"))}");
        }

        return string.Join(", ", parts);
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
