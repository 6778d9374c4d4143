using System.Globalization;
using System.Text;

namespace Demo.Orchestration;

/// <summary>The storyline and the live view: one line per cycle and canary, events in between, the summary at the end.</summary>
public sealed partial class DemoLoop
{
    /// <summary>
    /// Plays the storyline until every canary is live at its expected final weights (and one more cycle has shown it),
    /// the story timeout passes, or the worker dies. Never throws for a story that goes wrong: the summary says why.
    /// </summary>
    public async Task<LoopSummary> RunStorylineAsync(CancellationToken ct = default)
    {
        var story = _settings.Storyline;
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct, _stop.Token);
        timeout.CancelAfter(_settings.StoryTimeout);
        PrintHeader();
        PullRequests.Opened += pr => Event(pr.OpenedAt, $"PR #{pr.Number} opened: {pr.Title}");
        PullRequests.Merged += pr => Event(pr.MergedAt ?? DateTimeOffset.UtcNow, $"PR #{pr.Number} merged by the reviewer");
        var faults = story.Canaries.Where(c => c.Fault is not null).Select(c => Task.Run(() => IgnoreStop(PlayFaultAsync(c, c.Fault!, timeout.Token)), CancellationToken.None)).ToList();

        string? failure = null;
        try
        {
            failure = await WatchAsync(story, timeout.Token);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            failure = $"the story did not end within {_settings.StoryTimeout.TotalSeconds:0} s: " + string.Join(", ", story.Canaries.Select(c =>
                $"{c.Service} live {Weights.Format(LiveWeights(c.Service))} (expected v2 at {c.ExpectedFinalCanaryWeight})")) + Problems();
        }

        await timeout.CancelAsync();
        await Task.WhenAll(faults);
        PullRequests.Poll();
        var summary = Summarise(failure);
        lock (_print)
        {
            if (_settings.Output is { } output)
            {
                summary.WriteText(output);
            }
        }

        return summary;
    }

    /// <summary>Prints the worker's decisions as they come; returns null when the story is over, or why it failed.</summary>
    private async Task<string?> WatchAsync(Storyline story, CancellationToken ct)
    {
        DateTimeOffset? finalSince = null;
        var cyclesSinceFinal = 0;
        while (true)
        {
            var readable = _events.Reader.WaitToReadAsync(ct).AsTask();
            var finished = await Task.WhenAny(readable, Task.Delay(TimeSpan.FromSeconds(1), ct));
            ct.ThrowIfCancellationRequested();
            if (finished != readable && Worker.HasExited)
            {
                return $"the worker exited with code {Worker.ExitCode}; its last lines:\n  " + string.Join("\n  ", Worker.Tail());
            }

            while (_events.Reader.TryRead(out var e))
            {
                switch (e)
                {
                    case CanaryDecision d:
                        await PrintDecisionAsync(d, ct);
                        break;
                    case WorkerMessage m:
                        Event(m.At, $"worker {m.Level.ToLowerInvariant()}: {LiveViewFormat.Cut(m.Message, 160)}");
                        break;
                    case CycleFinished:
                        if (story.Canaries.All(c => LiveWeights(c.Service) is [_, var v2] && v2.Value == c.ExpectedFinalCanaryWeight))
                        {
                            finalSince ??= e.At;
                            // One more full cycle after the last step is live, so the view shows the bot holding there.
                            if (++cyclesSinceFinal >= 2)
                            {
                                return null;
                            }
                        }
                        else
                        {
                            finalSince = null;
                            cyclesSinceFinal = 0;
                        }

                        break;
                }
            }
        }
    }

    /// <summary>Waits until the canary has <see cref="FaultScript.AfterLiveSteps"/> live bot steps, then breaks v2 in two stages.</summary>
    private async Task PlayFaultAsync(CanaryScript canary, FaultScript fault, CancellationToken ct)
    {
        while (PullRequests.Records.Count(r => r.Canary == canary.Service && r.LiveAt is not null) < fault.AfterLiveSteps)
        {
            await Task.Delay(100, ct);
        }

        await Task.Delay(fault.Delay, ct);
        var healthy = Mesh.GetBehaviour(canary.Service, "v2");
        SetCanaryBehaviour(canary.Service, fault.Failing(healthy));
        var at = DateTimeOffset.UtcNow;
        _faultAt.TryAdd(canary.Service, at);
        Event(at, $"FAULT {canary.Service}: {fault.Description}");
        await Task.Delay(fault.EscalateAfter, ct);
        SetCanaryBehaviour(canary.Service, fault.Escalated(healthy));
        Event(DateTimeOffset.UtcNow, $"FAULT {canary.Service}: {fault.EscalatedDescription}");
    }

    /// <summary>What the stand-ins could not do (a sync that failed to render, a merge refused), for failure messages.</summary>
    private string Problems()
    {
        var problems = ArgoCd.Problems.Select(p => "Argo CD stand-in: " + p).Concat(Reviewer.Problems.Select(p => "reviewer: " + p)).TakeLast(5).ToList();
        var tail = Worker.Tail().TakeLast(5).ToList();
        return (problems.Count > 0 ? "\n  " + string.Join("\n  ", problems) : "")
            + (tail.Count > 0 ? "\nThe worker's last lines:\n  " + string.Join("\n  ", tail) : "");
    }

    private LoopSummary Summarise(string? failure)
    {
        var story = _settings.Storyline;
        var records = PullRequests.Records;
        var canaries = story.Canaries.Select(c =>
        {
            var prs = records.Where(r => r.Canary == c.Service).OrderBy(r => r.Number).ToList();
            DateTimeOffset? faultAt = _faultAt.TryGetValue(c.Service, out var f) ? f : null;
            var rollback = prs.Where(r => r.RollbackSeenAt is not null && (faultAt is null || r.RollbackSeenAt >= faultAt))
                .Select(r => r.RollbackSeenAt).Min();
            return new CanarySummary(c.Service, LiveWeights(c.Service), c.ExpectedFinalCanaryWeight, prs, faultAt, rollback);
        }).ToList();
        if (failure is null && canaries.FirstOrDefault(c => !c.AtExpectedWeights) is { } wrong)
        {
            failure = $"{wrong.Name} is live at {Weights.Format(wrong.FinalWeights)}, expected v2 at {wrong.ExpectedCanaryWeight}";
        }

        return new LoopSummary(failure, _settings.TimeScale, StartedAt, DateTimeOffset.UtcNow - StartedAt, canaries, _settings.PullRequestsDirectory);
    }

    private void PrintHeader()
    {
        var s = _settings;
        var scale = s.TimeScale.ToString("0.##", CultureInfo.InvariantCulture);
        var windows = string.Join(", ", s.Storyline.Canaries.Select(c => _windows.TryGetValue(c.Service, out var w)
            ? $"{c.Service} {Human(w)} → {Human(w / s.TimeScale)}" : c.Service));
        Print($"Storyline \"{s.Storyline.Name}\", time ×{scale}: the policies' durations divided by {scale} (analysis windows {windows}); the repository's policies are unchanged.");
        Print($"  origin      {OriginPath} ({string.Join(", ", OriginPaths.Select(p => p + "/"))} of this repository)");
        Print($"  GitHub API  {GitHub.ApiUrl} — the reviewer merges each bot pull request {Human(s.ReviewerDelay)} after it opens");
        Print($"  cluster     {Cluster.Url} — Argo CD applies main {Human(s.SyncDelay)} after it moves (Application {Application})");
        Print($"  mesh        {Mesh.MetricsUrl} — 7 services; " + string.Join(", ", s.Storyline.Canaries.Select(c =>
            FormattableString.Invariant($"{c.Service} {c.RequestsPerSecond:0} req/s"))) + ", split by the live weights");
        Print($"  Prometheus  {Prometheus.BaseUrl} — scraping every {Human(s.ScrapeInterval)}");
        Print($"  worker      PromotionBot run (pid {Worker.ProcessId}), schedule \"{s.Schedule}\", {WorkerUrl}");
        Print("");
        Print(LiveViewFormat.Header);
    }

    private async Task PrintDecisionAsync(CanaryDecision d, CancellationToken ct)
    {
        var window = (_windows.TryGetValue(d.Name, out var w) ? w : TimeSpan.FromMinutes(10)) / _settings.TimeScale;
        var ns = d.Canary.Contains('/', StringComparison.Ordinal) ? d.Canary[..d.Canary.IndexOf('/', StringComparison.Ordinal)] : TutorialShop.Namespace;
        var figures = await new ViewMetrics(_http, Prometheus.BaseUrl).ReadAsync(ns, d.Name, window, ct);
        var live = Weights.Ordered(ArgoCd.LiveWeights(ns, d.Name), [.. d.Weights.Select(x => x.Key)]);
        var pr = PullRequests.OpenFor(d.Name) is { } open ? $"#{open.Number}" : "-";
        var cause = d.Next.Count > 0 ? $"→ {Weights.Format(d.Next)}: {d.Cause}" : d.Cause;
        Print(LiveViewFormat.Row(Clock(d.At), d.Name, Weights.Format(d.Weights), Weights.Format(live),
            LiveViewFormat.Percentages(figures), LiveViewFormat.Latencies(figures), d.Decision, pr, cause));
    }

    private void Event(DateTimeOffset at, string text) => Print(LiveViewFormat.Event(Clock(at), text));

    private void Print(string line)
    {
        lock (_print)
        {
            _settings.Output?.WriteLine(line);
        }
    }

    private string Clock(DateTimeOffset at) => StartedAt == default ? "" : LiveViewFormat.Clock(at - StartedAt);

    internal static string Human(TimeSpan t)
    {
        var b = new StringBuilder();
        if (t.TotalMinutes >= 1 && t.Seconds == 0 && t.Milliseconds == 0)
        {
            return ((int)t.TotalMinutes).ToString(CultureInfo.InvariantCulture) + "m";
        }

        b.Append(t.TotalSeconds.ToString(t.TotalSeconds % 1 == 0 ? "0" : "0.#", CultureInfo.InvariantCulture)).Append('s');
        return b.ToString();
    }
}
