using System.Globalization;
using System.Text.RegularExpressions;
using PromotionBot.Analysis;

namespace PromotionBot.PullRequests;

/// <summary>
/// The hidden HTML comment that makes a bot PR recognisable from GitHub alone (after a crash or restart the bot keeps
/// no memory): <c>&lt;!-- promotion-bot: canary=ns/name decision=advance weights=v1:50,v2:50 base=sha --&gt;</c>.
/// Values are percent-encoded (<see cref="GitHubText.MarkerValue"/>), so any name survives the round trip.
/// </summary>
/// <param name="Weights">Proposed weights, in route order.</param>
/// <param name="BaseSha">Base-branch commit the proposal was built on.</param>
public sealed partial record PullRequestMarker(
    string Namespace,
    string Canary,
    DecisionKind Decision,
    IReadOnlyList<KeyValuePair<string, int>> Weights,
    string BaseSha)
{
    [GeneratedRegex(@"<!--\s*promotion-bot:\s*canary=(?<ns>[^/\s]+)/(?<name>\S+)\s+decision=(?<kind>[a-z]+)\s+weights=(?<w>\S+)\s+base=(?<base>[0-9a-fA-F]*)\s*-->")]
    private static partial Regex Pattern();

    public string Key => $"{Namespace}/{Canary}";

    public bool IsRollback => Decision == DecisionKind.Rollback;

    public IReadOnlyDictionary<string, int> WeightMap => Weights.ToDictionary(w => w.Key, w => w.Value);

    public string Render() =>
        $"<!-- promotion-bot: canary={GitHubText.MarkerValue(Namespace)}/{GitHubText.MarkerValue(Canary)} decision={Decision.ToString().ToLowerInvariant()} " +
        $"weights={string.Join(',', Weights.Select(w => $"{GitHubText.MarkerValue(w.Key)}:{w.Value.ToString(CultureInfo.InvariantCulture)}"))} base={GitHubText.MarkerValue(BaseSha)} -->";

    public static string FormatWeights(IEnumerable<KeyValuePair<string, int>> weights) =>
        string.Join(',', weights.Select(w => $"{w.Key}:{w.Value.ToString(CultureInfo.InvariantCulture)}"));

    /// <summary>The marker in a PR body, or null when the body has none (a human's PR) or it is malformed.</summary>
    public static PullRequestMarker? TryParse(string? body)
    {
        if (body is null || Pattern().Match(body) is not { Success: true } m
            || !Enum.TryParse<DecisionKind>(m.Groups["kind"].Value, ignoreCase: true, out var kind))
        {
            return null;
        }

        var weights = new List<KeyValuePair<string, int>>();
        foreach (var pair in m.Groups["w"].Value.Split(','))
        {
            var parts = pair.Split(':');
            if (parts.Length != 2 || !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var weight))
            {
                return null;
            }

            weights.Add(new(GitHubText.FromMarkerValue(parts[0]), weight));
        }

        return new PullRequestMarker(GitHubText.FromMarkerValue(m.Groups["ns"].Value), GitHubText.FromMarkerValue(m.Groups["name"].Value), kind, weights, m.Groups["base"].Value);
    }

    public static bool SameWeights(IReadOnlyDictionary<string, int> a, IReadOnlyDictionary<string, int> b) =>
        a.Count == b.Count && a.All(kv => b.TryGetValue(kv.Key, out var v) && v == kv.Value);
}
