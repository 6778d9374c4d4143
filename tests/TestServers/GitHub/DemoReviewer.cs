using Octokit;

namespace TestServers.GitHub;

/// <summary>
/// A person who approves every bot PR: polls the open PRs through Octokit (real HTTP) and merges each one
/// <c>delay</c> after it opened, as a merge commit pinned to the head it saw. A merge GitHub refuses (405 when the
/// base moved and it conflicts, 409 when the bot pushed meanwhile) or a failed call is logged and retried at a
/// later poll, backing off; nothing stops the loop but disposal.
/// </summary>
public sealed class DemoReviewer : IAsyncDisposable
{
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(5);

    private readonly object _gate = new();
    private readonly List<ReviewedPull> _merged = [];
    private readonly List<string> _problems = [];
    private readonly Dictionary<int, (int Failures, DateTimeOffset NotBefore)> _retries = [];
    private readonly GitHubClient _client;
    private readonly string _owner;
    private readonly string _repository;
    private readonly TimeSpan _delay;
    private readonly TimeSpan _pollInterval;
    private readonly Action<string>? _log;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;

    private DemoReviewer(Uri apiUrl, string token, string owner, string repository, TimeSpan delay, TimeSpan pollInterval, Action<string>? log)
    {
        // Octokit treats any host but github.com as GitHub Enterprise Server and adds /api/v3/ itself.
        _client = new GitHubClient(new Octokit.ProductHeaderValue("demo-reviewer"), apiUrl) { Credentials = new Credentials(token) };
        _owner = owner;
        _repository = repository;
        _delay = delay;
        _pollInterval = pollInterval;
        _log = log;
        _loop = Task.Run(() => LoopAsync(_stop.Token));
    }

    /// <param name="log">Receives one line per merge and per refused or failed merge; null = silent (see <see cref="Problems"/>).</param>
    public static DemoReviewer Start(Uri apiUrl, string token, string owner, string repository, TimeSpan delay, TimeSpan? pollInterval = null,
        Action<string>? log = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(delay, TimeSpan.Zero);
        var poll = pollInterval ?? TimeSpan.FromMilliseconds(250);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(poll, TimeSpan.Zero, nameof(pollInterval));
        return new DemoReviewer(apiUrl, token, owner, repository, delay, poll, log);
    }

    /// <summary>Merged PRs in the order they were merged.</summary>
    public IReadOnlyList<ReviewedPull> Merged
    {
        get
        {
            lock (_gate)
            {
                return _merged.ToList();
            }
        }
    }

    /// <summary>Refused merges and failed polls, as logged.</summary>
    public IReadOnlyList<string> Problems
    {
        get
        {
            lock (_gate)
            {
                return _problems.ToList();
            }
        }
    }

    /// <summary>Raised on the reviewer's own loop after each merge; a handler that throws is logged, not fatal.</summary>
    public event Action<ReviewedPull>? PullMerged;

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        try
        {
            await _loop;
        }
        catch (OperationCanceledException)
        {
        }

        _stop.Dispose();
    }

    private async Task LoopAsync(CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            try
            {
                await PollAsync(ct);
            }
            catch (Exception e) when (!ct.IsCancellationRequested)
            {
                Problem($"listing open pull requests failed: {e.GetType().Name}: {e.Message}");
            }

            await Task.Delay(_pollInterval, ct);
        }
    }

    private async Task PollAsync(CancellationToken ct)
    {
        var open = await _client.PullRequest.GetAllForRepository(_owner, _repository,
            new PullRequestRequest { State = ItemStateFilter.Open, SortDirection = SortDirection.Ascending });
        foreach (var pr in open.OrderBy(p => p.Number))
        {
            ct.ThrowIfCancellationRequested();
            var now = DateTimeOffset.UtcNow;
            if (now < pr.CreatedAt + _delay || (_retries.TryGetValue(pr.Number, out var retry) && now < retry.NotBefore))
            {
                continue;
            }

            await MergeAsync(pr);
        }
    }

    private async Task MergeAsync(PullRequest pr)
    {
        try
        {
            var result = await _client.PullRequest.Merge(_owner, _repository, pr.Number,
                new MergePullRequest { Sha = pr.Head.Sha, MergeMethod = PullRequestMergeMethod.Merge });
            if (!result.Merged)
            {
                Refused(pr.Number, $"not merged: {result.Message}");
                return;
            }

            var reviewed = new ReviewedPull(pr.Number, pr.Title, pr.Head.Ref, pr.CreatedAt, DateTimeOffset.UtcNow, result.Sha, pr.Body ?? "");
            lock (_gate)
            {
                _merged.Add(reviewed);
            }

            _retries.Remove(pr.Number);
            _log?.Invoke($"reviewer: merged #{pr.Number} \"{pr.Title}\" as {result.Sha[..12]}");
            try
            {
                PullMerged?.Invoke(reviewed);
            }
            catch (Exception e)
            {
                Problem($"a PullMerged handler failed for #{pr.Number}: {e.GetType().Name}: {e.Message}");
            }
        }
        catch (ApiException e)
        {
            // 405: not mergeable (conflicts with a moved base, or no longer open); 409: the bot pushed since the list.
            Refused(pr.Number, $"{(int)e.StatusCode} {e.ApiError?.Message ?? e.Message}");
        }
        catch (HttpRequestException e)
        {
            Refused(pr.Number, $"{e.GetType().Name}: {e.Message}");
        }
    }

    private void Refused(int number, string why)
    {
        var failures = _retries.TryGetValue(number, out var retry) ? retry.Failures + 1 : 1;
        var wait = TimeSpan.FromTicks(Math.Min(MaxBackoff.Ticks, _pollInterval.Ticks << Math.Min(failures, 16)));
        _retries[number] = (failures, DateTimeOffset.UtcNow + wait);
        Problem($"merge of #{number} refused ({why}); retrying in {wait.TotalSeconds:0.#} s");
    }

    private void Problem(string text)
    {
        lock (_gate)
        {
            _problems.Add(text);
        }

        _log?.Invoke("reviewer: " + text);
    }
}
