using System.Globalization;
using System.Text.RegularExpressions;
using Scenarios.Live;

namespace Demo.Orchestration;

/// <summary>
/// The tutorial's seven services as the mesh simulator serves them (Scenarios.Live.TutorialMesh: ports, pods, callers,
/// latencies), with the storyline's traffic for its canaries, and the analysis windows of the repository's policies.
/// </summary>
public static partial class TutorialShop
{
    public const string Namespace = TutorialMesh.Namespace;

    public static IReadOnlyList<MeshService> MeshServices(Storyline story) =>
        TutorialMesh.Services()
            .Select(s => story.Canaries.FirstOrDefault(c => c.Service == s.Name) is { } canary ? s with { RequestsPerSecond = canary.RequestsPerSecond } : s)
            .ToList();

    /// <summary>
    /// The analysis window of each canary's promotion policy under <paramref name="repositoryRoot"/>/apps (policy name →
    /// window), for the live view's queries. The bot's policy loader is the authority; this only reads the one field.
    /// </summary>
    public static IReadOnlyDictionary<string, TimeSpan> PolicyWindows(string repositoryRoot)
    {
        var windows = new Dictionary<string, TimeSpan>(StringComparer.Ordinal);
        foreach (var file in Directory.EnumerateFiles(Path.Combine(repositoryRoot, "apps"), "promotion-policy.yaml", SearchOption.AllDirectories))
        {
            var text = File.ReadAllText(file);
            if (PolicyName().Match(text) is { Success: true } name)
            {
                windows[name.Groups[1].Value] = Window().Match(text) is { Success: true } w ? Duration(w.Groups[1].Value, w.Groups[2].Value) : TimeSpan.FromMinutes(10);
            }
        }

        return windows;
    }

    private static TimeSpan Duration(string number, string unit)
    {
        var n = double.Parse(number, CultureInfo.InvariantCulture);
        return unit switch { "h" => TimeSpan.FromHours(n), "m" => TimeSpan.FromMinutes(n), _ => TimeSpan.FromSeconds(n) };
    }

    [GeneratedRegex(@"(?m)^metadata:\s*\n\s+name:\s*([A-Za-z0-9.-]+)")]
    private static partial Regex PolicyName();

    [GeneratedRegex(@"(?m)^\s+window:\s*([0-9]+)(h|m|s)\s*$")]
    private static partial Regex Window();
}
