using System.Globalization;
using PromotionBot.Analysis;

namespace PromotionBot.PullRequests;

/// <summary>The one-line evidence for a commit status description (GitHub allows 140 characters).</summary>
public static class EvidenceSummary
{
    public static string Describe(PromotionProposal proposal)
    {
        var policy = proposal.Policy;
        var canary = proposal.Evaluation.Signals?.Of(policy.Canary);
        var weights = PullRequestMarker.FormatWeights(proposal.NextWeights).Replace(',', '/');
        var verb = proposal.Decision.Kind switch
        {
            DecisionKind.Rollback => $"Rollback ({PromotionProposal.RollbackCause(proposal.Decision)})",
            DecisionKind.Promote => "Promote",
            _ => "Advance",
        };
        if (canary is null)
        {
            return $"{verb} to {weights}: {string.Join("; ", proposal.Decision.Reasons)}";
        }

        var inv = CultureInfo.InvariantCulture;
        var rate = canary.Requests is > 0 ? (canary.Errors ?? 0) / canary.Requests : null;
        var err = rate is { } e ? (e * 100).ToString("0.##", inv) + "%" : "n/a";
        var p99 = canary.P99LatencyMs is { } p ? p.ToString("0", inv) + "ms" : "n/a";
        var requests = canary.Requests is { } r ? Math.Round(r).ToString("0", inv) : "0";
        var limits = $"≤{(policy.Analysis.MaxErrorRate * 100).ToString("0.##", inv)}%, ≤{policy.Analysis.MaxP99LatencyMs.ToString("0", inv)}ms";
        return $"{verb} to {weights}: {policy.Canary} 5xx {err}, p99 {p99}, {requests} req ({limits})";
    }
}
