using System.Globalization;
using System.Text;
using PromotionBot.Analysis;
using PromotionBot.Configuration;
using PromotionBot.Metrics;
using PromotionBot.Policy;

namespace PromotionBot.PullRequests;

/// <summary>
/// Renders a bot PR's markdown: the verdict and why, the numbers for both subsets against the thresholds, a mermaid
/// chart (GitHub renders xychart-beta), the PromQL, links, what merging does, and the hidden marker. Pure: same input,
/// same text, so an unchanged proposal never produces a needless edit.
/// </summary>
public static class PullRequestBody
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    public static string Render(PromotionProposal proposal, string baseSha, ErrorRateChart? chart, LinkSettings links)
    {
        var policy = proposal.Policy;
        var decision = proposal.Decision;
        var signals = proposal.Evaluation.Signals;
        // Repository values are Kubernetes names by now; they are escaped all the same (a second wall), free text too.
        var stable = GitHubText.Text(policy.Stable);
        var canary = GitHubText.Text(policy.Canary);
        var b = new StringBuilder();

        b.AppendLine(proposal.Marker(baseSha).Render());
        if (proposal.IsRollback)
        {
            b.AppendLine($"> [!CAUTION]");
            b.AppendLine($"> **Urgent rollback: {canary} of {GitHubText.Code(policy.Service)} is failing.** Merge this to send all traffic back to {stable}.");
            b.AppendLine();
        }

        b.AppendLine($"## {Heading(proposal)}");
        b.AppendLine();
        b.AppendLine($"**Decision: {decision.Kind.ToString().ToLowerInvariant()}** for canary {GitHubText.Code(policy.Name)} " +
                     $"(service {GitHubText.Code(policy.Service)} in namespace {GitHubText.Code(policy.Namespace)}), evaluated at {Stamp(proposal.Evaluation.Signals?.EvaluatedAt)} " +
                     $"on base commit `{Short(baseSha)}`.");
        b.AppendLine();
        foreach (var reason in decision.Reasons)
        {
            b.AppendLine($"- {GitHubText.Text(reason)}");
        }

        b.AppendLine();
        b.AppendLine($"| Weight | now | proposed |");
        b.AppendLine($"|---|---:|---:|");
        foreach (var (subset, next) in proposal.NextWeights)
        {
            b.AppendLine($"| {GitHubText.Text(subset)} | {decision.Current.GetValueOrDefault(subset)}% | **{next}%** |");
        }

        b.AppendLine();
        b.AppendLine($"Only the `weight:` values of {(policy.VirtualService.Route is { } r ? $"http route {GitHubText.Code(r)}" : $"the http route naming {stable} and {canary}")} in " +
                     $"VirtualService {GitHubText.Code(policy.VirtualService.Name)} ({GitHubText.Code(policy.VirtualService.File)}) change.");
        b.AppendLine();

        var a = policy.Analysis;
        b.AppendLine($"### Evidence (last {Duration(a.Window)}{(a.TimeScale == PolicyTimeScale.None ? "" : ", " + PolicyTimeScale.Describe(a.TimeScale))})");
        b.AppendLine();
        if (signals is null || signals.Unavailable is not null)
        {
            b.AppendLine($"No metrics: {GitHubText.Text(signals?.Unavailable ?? "not collected")}.");
        }
        else
        {
            var s1 = signals.Of(policy.Stable);
            var s2 = signals.Of(policy.Canary);
            b.AppendLine($"| Signal | {stable} | {canary} | Threshold ({canary}) |");
            b.AppendLine("|---|---:|---:|---|");
            b.AppendLine($"| Requests | {Count(s1?.Requests)} | {Count(s2?.Requests)} | ≥ {a.MinRequests.ToString(Inv)} |");
            b.AppendLine($"| 5xx error rate | {Percent(ErrorRate(s1))} | {Percent(ErrorRate(s2))} | ≤ {Percent(a.MaxErrorRate)} |");
            b.AppendLine($"| 5xx error rate, persistent ({a.FailureThreshold}×{Duration(a.Interval)}) | {Percent(s1?.PersistentErrorRate)} | {Percent(s2?.PersistentErrorRate)} | ≤ {Percent(a.MaxErrorRate)} |");
            b.AppendLine($"| p99 latency | {Ms(s1?.P99LatencyMs)} | {Ms(s2?.P99LatencyMs)} | ≤ {Ms(a.MaxP99LatencyMs)} |");
            b.AppendLine($"| p99 latency, persistent | {Ms(s1?.PersistentP99LatencyMs)} | {Ms(s2?.PersistentP99LatencyMs)} | ≤ {Ms(a.MaxP99LatencyMs)} |");
            b.AppendLine($"| Outlier ejections (max active / enforced) | {Count(s1?.EjectionsActiveMax)} / {Count(s1?.EjectionsEnforced)} | {Count(s2?.EjectionsActiveMax)} / {Count(s2?.EjectionsEnforced)} | {(policy.CircuitBreaking.OutlierEjection ? "none" : "not checked")} |");
            b.AppendLine($"| Pool overflow (pending / connections) | {Count(s1?.PendingOverflow)} / {Count(s1?.ConnectionOverflow)} | {Count(s2?.PendingOverflow)} / {Count(s2?.ConnectionOverflow)} | {(policy.CircuitBreaking.ConnectionPoolOverflow ? "none" : "not checked")} |");
            b.AppendLine($"| UO (overflow) responses | {Count(s1?.OverflowResponses)} | {Count(s2?.OverflowResponses)} | {(policy.CircuitBreaking.ConnectionPoolOverflow ? "none" : "not checked")} |");
            b.AppendLine($"| Healthy / total endpoints (callers' view) | {Count(s1?.HealthyEndpoints)} / {Count(s1?.TotalEndpoints)} | {Count(s2?.HealthyEndpoints)} / {Count(s2?.TotalEndpoints)} | ≥ 1 healthy |");
            b.AppendLine($"| Failed before reaching a pod (no healthy host / connect failure) | {Count(s1?.NoHealthyFailures)} / {Count(s1?.ConnectFailures)} | {Count(s2?.NoHealthyFailures)} / {Count(s2?.ConnectFailures)} | not every interval |");
            if (decision.Comparison is { } cmp)
            {
                b.AppendLine();
                b.AppendLine($"**{canary} against {stable}:** {Analysis.DecisionEngine.Describe(cmp, stable, canary)} " +
                             "(Newcombe score interval for the difference of two proportions).");
            }

            if (signals.UnattributedFailuresByFlag.Count > 0)
            {
                b.AppendLine();
                b.AppendLine($"Callers' requests that failed in their own proxy (destination_version unknown), by flag: " +
                             string.Join(", ", signals.UnattributedFailuresByFlag.Select(kv => $"`{kv.Key}` {Count(kv.Value)}")) + ".");
            }

            if (signals.UnattributedOverflowResponses is > 0)
            {
                b.AppendLine();
                b.AppendLine($"{Count(signals.UnattributedOverflowResponses)} UO responses could not be attributed to a subset (client-side overflow).");
            }
        }

        if (decision.Checks.Count > 0)
        {
            b.AppendLine();
            b.AppendLine("| Check | Subset | Value | Threshold | Result |");
            b.AppendLine("|---|---|---:|---:|---|");
            foreach (var check in decision.Checks)
            {
                b.AppendLine($"| {GitHubText.Text(check.Name)} | {GitHubText.Text(check.Subset)} | {Short4(check.Value)} | {Short4(check.Threshold)} | {Outcome(check.Result)} |");
            }
        }

        if (chart is not null && chart.Times.Count > 1)
        {
            AppendChart(b, chart, policy.Stable, policy.Canary, a.MaxErrorRate);
        }

        if (signals is { Queries.Count: > 0 })
        {
            b.AppendLine();
            b.AppendLine("<details><summary>PromQL used</summary>");
            b.AppendLine();
            var fence = GitHubText.Fence(string.Join('\n', signals.Queries));
            b.AppendLine(fence + "promql");
            foreach (var query in signals.Queries)
            {
                b.AppendLine(GitHubText.OneLine(query));
            }

            b.AppendLine(fence);
            b.AppendLine();
            b.AppendLine("</details>");
        }

        AppendLinks(b, proposal, links);

        b.AppendLine();
        b.AppendLine("### After merge");
        b.AppendLine();
        b.AppendLine(AfterMerge(proposal));
        b.AppendLine();
        b.AppendLine("The `promotion-bot/analysis` status on this pull request is re-checked every cycle: it turns red if the " +
                     "evidence stops holding, and the bot updates or closes this pull request when its decision changes.");
        return b.ToString();
    }

    private static string Heading(PromotionProposal p) => p.Decision.Kind switch
    {
        DecisionKind.Rollback => $"Revert {GitHubText.Code(p.Policy.Name)} to {GitHubText.Text(p.Policy.Stable)}: {PromotionProposal.RollbackCause(p.Decision)} on {GitHubText.Text(p.Policy.Canary)}",
        DecisionKind.Promote => $"Promote {GitHubText.Code(p.Policy.Name)} {GitHubText.Text(p.Policy.Canary)} to 100%",
        _ => $"Shift {GitHubText.Code(p.Policy.Name)} {GitHubText.Text(p.Policy.Canary)} from {p.Decision.Current.GetValueOrDefault(p.Policy.Canary)}% to {p.Decision.Next!.GetValueOrDefault(p.Policy.Canary)}%",
    };

    private static string AfterMerge(PromotionProposal p)
    {
        var canaryWeight = p.Decision.Next!.GetValueOrDefault(p.Policy.Canary);
        var (stable, canary) = (GitHubText.Text(p.Policy.Stable), GitHubText.Text(p.Policy.Canary));
        return p.Decision.Kind switch
        {
            DecisionKind.Rollback =>
                $"Argo CD syncs the VirtualService and {stable} takes all traffic. The bot then holds (rolled back) and opens " +
                $"no new promotion until a person fixes {canary} and sets its weight again.",
            DecisionKind.Promote =>
                $"Argo CD syncs the VirtualService and {canary} takes all traffic. The canary is complete; retiring " +
                $"{stable} is left to a person.",
            _ =>
                $"Argo CD syncs the VirtualService and {canary} receives {canaryWeight}% of traffic. The bot keeps judging " +
                $"it over the next {Duration(p.Policy.Analysis.Window)} and opens the next step " +
                $"({string.Join(" → ", p.Policy.Steps.Where(s => s > canaryWeight).Select(s => $"{s}%"))}) or a rollback.",
        };
    }

    private static void AppendChart(StringBuilder b, ErrorRateChart chart, string stable, string canary, double threshold)
    {
        double? Pct(double? v) => v is null ? null : Math.Round(v.Value * 100, 3);
        var subsets = new[] { stable, canary }.Where(chart.BySubset.ContainsKey).ToList();
        var max = chart.BySubset.Values.SelectMany(v => v).Select(Pct).Append(threshold * 100).Max() ?? 1;
        var top = Math.Max(0.1, Math.Ceiling(max * 1.2 * 10) / 10);

        b.AppendLine();
        b.AppendLine($"5xx error rate (%) over the window — lines: {string.Join(", ", subsets.Select((s, i) => $"{i + 1} = {GitHubText.Text(s)}"))}, " +
                     $"{subsets.Count + 1} = threshold. Instants without traffic are drawn at 0.");
        b.AppendLine();
        b.AppendLine("```mermaid");
        b.AppendLine("xychart-beta");
        b.AppendLine("    title \"5xx error rate (%)\"");
        // Seconds only when points are closer than a minute, so labels never repeat.
        var format = chart.Times.Count > 1 && chart.Times[1] - chart.Times[0] < TimeSpan.FromMinutes(1) ? "HH:mm:ss" : "HH:mm";
        b.AppendLine($"    x-axis [{string.Join(", ", chart.Times.Select(t => $"\"{t.UtcDateTime.ToString(format, Inv)}\""))}]");
        b.AppendLine($"    y-axis \"%\" 0 --> {Number(top)}");
        foreach (var subset in subsets)
        {
            b.AppendLine($"    line [{string.Join(", ", chart.BySubset[subset].Select(v => Number(Pct(v) ?? 0)))}]");
        }

        b.AppendLine($"    line [{string.Join(", ", chart.Times.Select(_ => Number(Math.Round(threshold * 100, 3))))}]");
        b.AppendLine("```");
    }

    private static void AppendLinks(StringBuilder b, PromotionProposal p, LinkSettings links)
    {
        var items = new List<string>();
        if (links.Prometheus is not null)
        {
            var query = p.Evaluation.Signals?.Queries is { Count: > 0 } queries ? queries[0] : null;
            query ??= $"sum by (destination_version) (rate(istio_requests_total{{reporter=\"destination\",{PromQlString.Equal("destination_service_name", p.Policy.Service)},{PromQlString.Equal("destination_service_namespace", p.Policy.Namespace)}}}[1m]))";
            items.Add($"[Prometheus]({new Uri(links.Prometheus, $"graph?g0.expr={Uri.EscapeDataString(query)}&g0.tab=0&g0.range_input={Duration(p.Policy.Analysis.Window)}").AbsoluteUri})");
        }

        if (links.Grafana is not null)
        {
            items.Add($"[Grafana]({new Uri(links.Grafana, "dashboards?query=" + Uri.EscapeDataString("Istio Service")).AbsoluteUri})");
        }

        if (links.Kiali is not null)
        {
            items.Add($"[Kiali]({new Uri(links.Kiali, $"console/namespaces/{Uri.EscapeDataString(p.Policy.Namespace)}/services/{Uri.EscapeDataString(p.Policy.Service)}").AbsoluteUri})");
        }

        if (links.ArgoCd is not null)
        {
            items.Add($"[Argo CD]({new Uri(links.ArgoCd, links.ArgoCdApplication is { } app ? $"applications/{app}" : "applications").AbsoluteUri})");
        }

        if (items.Count > 0)
        {
            b.AppendLine();
            b.AppendLine($"Links: {string.Join(" · ", items)}");
        }
    }

    /// <summary>Istio has no 5xx series for a subset that never failed: with traffic, that is a 0% rate, not "no data".</summary>
    private static double? ErrorRate(SubsetSignals? s) => s?.Requests is > 0 ? (s.Errors ?? 0) / s.Requests : null;

    private static string Outcome(CheckOutcome o) => o switch
    {
        CheckOutcome.Pass => "✅ pass",
        CheckOutcome.Fail => "❌ fail",
        _ => "➖ no data",
    };

    private static string Stamp(DateTimeOffset? t) => t?.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss 'UTC'", Inv) ?? "(unknown)";

    private static string Short(string sha) => sha.Length > 12 ? sha[..12] : sha;

    private static string Count(double? v) => v is null ? "–" : Math.Round(v.Value).ToString("N0", Inv);

    private static string Percent(double? v) => v is null ? "–" : (v.Value * 100).ToString("0.###", Inv) + "%";

    private static string Ms(double? v) => v is null ? "–" : v.Value.ToString("0.#", Inv) + " ms";

    private static string Short4(double? v) => v is null ? "–" : v.Value.ToString("0.####", Inv);

    private static string Number(double? v) => v is null ? "–" : v.Value.ToString("0.######", Inv);

    public static string Duration(TimeSpan t) =>
        t.TotalHours >= 1 && t.TotalHours == Math.Floor(t.TotalHours) ? $"{t.TotalHours:0}h"
        : t.TotalMinutes >= 1 && t.TotalMinutes == Math.Floor(t.TotalMinutes) ? $"{t.TotalMinutes:0}m"
        : $"{t.TotalSeconds:0}s";
}
