using System.Text.RegularExpressions;
using TestServers.GitHub;

namespace Demo.Orchestration;

/// <summary>
/// Watches the GitHub API stand-in's pull requests (a few times a second): records each bot PR when it first appears,
/// writes its body as Markdown (again whenever the bot edits it) and notes merges and closes.
/// </summary>
public sealed partial class PullRequestTracker
{
    private readonly GitHubTestServer _github;
    private readonly string? _bodies;
    private readonly Func<string, IReadOnlyList<KeyValuePair<string, int>>> _gitWeights;
    private readonly object _gate = new();
    private readonly List<PullRequestRecord> _records = [];
    private readonly Dictionary<int, string> _writtenBodies = [];

    /// <param name="gitWeights">The canary's weights on main now (policy name → route-ordered weights).</param>
    public PullRequestTracker(GitHubTestServer github, string? bodiesDirectory, Func<string, IReadOnlyList<KeyValuePair<string, int>>> gitWeights)
    {
        _github = github;
        _bodies = bodiesDirectory;
        _gitWeights = gitWeights;
    }

    /// <summary>A bot pull request seen for the first time.</summary>
    public event Action<PullRequestRecord>? Opened;

    /// <summary>A bot pull request merged (by the reviewer).</summary>
    public event Action<PullRequestRecord>? Merged;

    public IReadOnlyList<PullRequestRecord> Records
    {
        get
        {
            lock (_gate)
            {
                return [.. _records];
            }
        }
    }

    public PullRequestRecord? OpenFor(string canary)
    {
        lock (_gate)
        {
            return _records.LastOrDefault(r => r.Canary == canary && r.IsOpen);
        }
    }

    public async Task RunAsync(TimeSpan interval, CancellationToken ct)
    {
        using var timer = new PeriodicTimer(interval);
        do
        {
            Poll();
        }
        while (await timer.WaitForNextTickAsync(ct));
    }

    /// <summary>One look at the pull requests (also called once more at the end so nothing is missed).</summary>
    public void Poll()
    {
        var now = DateTimeOffset.UtcNow;
        foreach (var pr in _github.PullRequests)
        {
            var number = (int)pr["number"]!;
            var body = (string?)pr["body"] ?? "";
            PullRequestRecord? record;
            PullRequestRecord? opened = null;
            PullRequestRecord? merged = null;
            lock (_gate)
            {
                record = _records.FirstOrDefault(r => r.Number == number);
                if (Marker().Match(body) is { Success: true } m)
                {
                    var canary = Uri.UnescapeDataString(m.Groups["name"].Value);
                    if (record is null)
                    {
                        record = new PullRequestRecord(number, canary, now, _gitWeights(canary));
                        _records.Add(record);
                        opened = record;
                    }

                    if (record.MergedAt is null)
                    {
                        record.Kind = m.Groups["kind"].Value;
                        record.Weights = WorkerEvent.ParseWeights(Uri.UnescapeDataString(m.Groups["w"].Value));
                        record.Title = (string?)pr["title"] ?? "";
                        record.RollbackSeenAt ??= record.Kind == "rollback" ? now : null;
                    }
                }

                if (record is null)
                {
                    continue;
                }

                if (record.MergedAt is null && (bool?)pr["merged"] == true)
                {
                    // merged_at has whole seconds; the reviewer's own time (NoteMerge) replaces this when it arrives.
                    record.MergedAt = now;
                    record.MergeSha = (string?)pr["merge_commit_sha"];
                    merged = record;
                }
                else if (record.MergedAt is null && (string?)pr["state"] == "closed")
                {
                    record.ClosedUnmerged = true;
                }
            }

            WriteBody(record, body);
            if (opened is not null)
            {
                Opened?.Invoke(opened);
            }

            if (merged is not null)
            {
                Merged?.Invoke(merged);
            }
        }
    }

    /// <summary>The reviewer knows the merge time to the millisecond; the API's merged_at has seconds only.</summary>
    public void NoteMerge(int number, DateTimeOffset mergedAt, string sha)
    {
        PullRequestRecord? merged = null;
        lock (_gate)
        {
            if (_records.FirstOrDefault(r => r.Number == number) is { } record)
            {
                var first = record.MergedAt is null;
                record.MergedAt = mergedAt;
                record.MergeSha = sha;
                merged = first ? record : null;
            }
        }

        if (merged is not null)
        {
            Merged?.Invoke(merged);
        }
    }

    private void WriteBody(PullRequestRecord record, string body)
    {
        if (_bodies is null)
        {
            return;
        }

        lock (_gate)
        {
            if (_writtenBodies.TryGetValue(record.Number, out var written) && written == body)
            {
                return;
            }

            _writtenBodies[record.Number] = body;
            Directory.CreateDirectory(_bodies);
            record.BodyFile ??= Path.Combine(_bodies, $"pr-{record.Number:D2}-{record.Canary}-{record.Kind}.md");
            File.WriteAllText(record.BodyFile, $"# #{record.Number} {record.Title}\n\n{body}\n");
        }
    }

    // The bot's hidden marker (PullRequestMarker): <!-- promotion-bot: canary=ns/name decision=kind weights=v1:50,v2:50 base=sha -->
    [GeneratedRegex(@"<!--\s*promotion-bot:\s*canary=(?<ns>[^/\s]+)/(?<name>\S+)\s+decision=(?<kind>[a-z]+)\s+weights=(?<w>\S+)\s+base=[0-9a-fA-F]*\s*-->")]
    private static partial Regex Marker();
}
