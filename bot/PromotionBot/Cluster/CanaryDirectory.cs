using PromotionBot.Policy;

namespace PromotionBot.Cluster;

/// <summary>
/// Which canaries serve a Kubernetes service, as of the last policies read from git; the alert webhook resolves
/// alert labels through it. Each cycle replaces the whole map, so a removed policy stops matching.
/// </summary>
public sealed class CanaryDirectory
{
    private volatile IReadOnlyDictionary<(string Namespace, string Service), IReadOnlyList<string>> byService =
        new Dictionary<(string, string), IReadOnlyList<string>>();

    public void Update(IEnumerable<CanaryPolicy> policies) =>
        byService = policies
            .GroupBy(p => (p.Namespace, p.Service))
            .ToDictionary(g => g.Key, g => (IReadOnlyList<string>)g.Select(PullRequests.PromotionProposal.KeyFor).Distinct(StringComparer.Ordinal).ToList());

    /// <summary>Keys (<c>namespace/name</c>, as the worker's trigger and the PR markers use them) of the service's canaries, or none.</summary>
    public IReadOnlyList<string> Find(string ns, string service) => byService.GetValueOrDefault((ns, service)) ?? [];

    public int Count => byService.Count;
}
