using PromotionBot.Manifest;
using PromotionBot.Metrics;
using PromotionBot.Policy;

namespace PromotionBot.Analysis;

/// <summary>One analysis cycle: policies and weights from the repository, signals from Prometheus, a decision per canary.</summary>
/// <param name="timeScale">Every policy duration is divided by it as the policy loads (<see cref="PolicyTimeScale"/>); 1 = as written.</param>
public sealed class CanaryAnalyzer(ISignalSource signals, double timeScale = PolicyTimeScale.None)
{
    /// <summary>Judges every canary of the repository. Per-canary problems become <see cref="CanaryEvaluation.Error"/>; other canaries are still judged.</summary>
    public async Task<AnalysisRun> AnalyzeAsync(string repoDir, DateTimeOffset at, CancellationToken ct)
    {
        var loaded = PolicyLoader.Discover(repoDir).Select(path => Load(repoDir, path, timeScale)).ToList();
        RejectDuplicateNames(loaded);

        var judgeable = loaded.Where(c => c.Error is null).ToList();
        var read = judgeable.Count == 0
            ? new Dictionary<CanaryPolicy, CanarySignals>()
            : await signals.ReadAsync(judgeable.Select(c => c.Policy!).ToList(), at, ct);

        var evaluations = loaded.Select(c =>
        {
            if (c.Error is not null)
            {
                return c;
            }

            var s = read[c.Policy!];
            return c with { Signals = s, Decision = DecisionEngine.Decide(c.Policy!, c.Weights!, s) };
        }).ToList();
        return new AnalysisRun(at, evaluations);
    }

    /// <summary>5xx ratio per subset at <paramref name="points"/> instants across the policy window, for the chart in a pull request.</summary>
    public Task<IReadOnlyDictionary<string, IReadOnlyList<SeriesPoint>>> ErrorRateSeriesAsync(CanaryPolicy policy, DateTimeOffset at, int points, CancellationToken ct) =>
        signals.ErrorRateSeriesAsync(policy, at, points, ct);

    private static CanaryEvaluation Load(string repoDir, string policyPath, double timeScale)
    {
        CanaryPolicy policy;
        try
        {
            policy = PolicyTimeScale.Apply(PolicyLoader.Load(repoDir, policyPath), timeScale);
        }
        catch (RepoFileException e)
        {
            return new CanaryEvaluation(policyPath, null, null, null, null, e.Message);
        }

        try
        {
            if (!File.Exists(Path.Combine(repoDir, policy.VirtualService.File)) && !Directory.Exists(Path.Combine(repoDir, policy.VirtualService.File)))
            {
                throw new RepoFileException(policy.PolicyFile, 0, 0, $"virtualService.file '{policy.VirtualService.File}' does not exist");
            }

            var text = RepoFile.ReadText(repoDir, policy.VirtualService.File);
            var weights = VirtualServiceFile.ReadWeights(policy.VirtualService.File, text, policy.VirtualService.Name, policy.VirtualService.Route, policy.Stable, policy.Canary);
            return new CanaryEvaluation(policy.Name, policy, weights, null, null, null);
        }
        catch (RepoFileException e)
        {
            return new CanaryEvaluation(policy.Name, policy, null, null, null, e.Message);
        }
    }

    private static void RejectDuplicateNames(List<CanaryEvaluation> loaded)
    {
        var duplicates = loaded.Where(c => c.Policy is not null)
            .GroupBy(c => (c.Policy!.Namespace, c.Name))
            .Where(g => g.Count() > 1);
        foreach (var group in duplicates)
        {
            var files = string.Join(", ", group.Select(c => c.Policy!.PolicyFile));
            foreach (var c in group.ToList())
            {
                loaded[loaded.IndexOf(c)] = c with { Error = $"{c.Policy!.PolicyFile}: canary name '{c.Name}' in namespace {c.Policy.Namespace} is declared more than once ({files})" };
            }
        }
    }
}
