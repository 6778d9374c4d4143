using System.Diagnostics;
using System.Globalization;

namespace DetectionLatency;

/// <summary>
/// One trial: a fresh <see cref="Rig"/>; once both workers have finished a cycle (warm clone, as a long-running worker
/// has), each fault is injected at its own random moment within <see cref="BenchSettings.OnsetSpread"/>, and the trial
/// waits until both workers opened a rollback for every injected fault, or the fault's timeout passed.
/// </summary>
public static class Trial
{
    private static readonly TimeSpan WarmTimeout = TimeSpan.FromMinutes(3);

    public static async Task<IReadOnlyList<Measurement>> RunAsync(int number, BenchSettings settings, Random random, Action<string> print, CancellationToken ct)
    {
        var started = Stopwatch.StartNew();
        await using var rig = await StartRigAsync(settings, print, number, ct);
        print($"trial {number}: parts up in {started.Elapsed.TotalSeconds:0} s ({rig.WorkDirectory}); waiting for both workers' first cycle");
        await WaitUntilAsync(() => rig.Workers.All(w => w.Cycles.Count > 0), WarmTimeout, rig, ct);

        await rig.EnsureCanaryTrafficAsync(FaultKind.All.Select(f => f.Service), ct);
        var plans = settings.Faults.Select(f => (Fault: f, Delay: settings.OnsetSpread * random.NextDouble())).ToList();
        var onsets = await Task.WhenAll(plans.Select(async p =>
        {
            await Task.Delay(p.Delay, ct);
            var failing = p.Fault.Failing(rig.Mesh.GetBehaviour(p.Fault.Service, "v2"));
            var at = DateTimeOffset.UtcNow;
            rig.Mesh.SetBehaviour(p.Fault.Service, "v2", failing);
            print($"trial {number}: FAULT {p.Fault.Service} v2 {p.Fault.Description} at {at:HH:mm:ss.fff} (schedule phase {Phase(at):0.0} s)");
            return (p.Fault, At: at);
        }));

        var deadline = onsets.Max(o => o.At + o.Fault.Timeout);
        await WaitUntilAsync(() => onsets.All(o => rig.Workers.All(w => w.RollbackFor(o.Fault.Service, o.At) is not null))
            || DateTimeOffset.UtcNow > deadline, deadline - DateTimeOffset.UtcNow + TimeSpan.FromSeconds(5), rig, ct, throwOnTimeout: false);

        // The cycle that opened a pull request logs its end a moment later: wait for it, to say where the time went.
        await WaitUntilAsync(() => onsets.All(o => rig.Workers.All(w => w.RollbackFor(o.Fault.Service, o.At) is not { } pr || w.CycleAround(pr.SeenAt) is not null)),
            TimeSpan.FromSeconds(30), rig, ct, throwOnTimeout: false);

        var measurements = new List<Measurement>();
        foreach (var (fault, at) in onsets.OrderBy(o => o.At))
        {
            var firstScrape = rig.Scrapes.Where(s => s > at).Select(s => (TimeSpan?)(s - at)).FirstOrDefault();
            foreach (var worker in rig.Workers)
            {
                var m = Measure(number, fault, at, firstScrape, worker);
                measurements.Add(m);
                print($"trial {number}: {fault.Name,-16} {worker.Mode,-8} {Describe(m)}");
            }
        }

        return measurements;
    }

    private static Measurement Measure(int trial, FaultKind fault, DateTimeOffset at, TimeSpan? firstScrape, WorkerUnderTest worker)
    {
        var early = worker.EarlyRollbacks(fault.Service, at);
        var problem = early.Count > 0 ? $"rollback #{early[0].Number} opened before the fault ({early[0].Title})" : null;
        var webhook = worker.Webhooks.Where(w => w.At >= at && w.Triggered.Contains(fault.Service, StringComparison.Ordinal)).Select(w => (TimeSpan?)(w.At - at)).FirstOrDefault();
        if (worker.RollbackFor(fault.Service, at) is not { } pr)
        {
            return new(trial, fault, worker.Mode, at, Phase(at), firstScrape, null, null, null, webhook, null, null, problem);
        }

        if (pr.SeenAt - pr.CreatedAt > WorkerUnderTest.SeenSlack + TimeSpan.FromSeconds(1) || pr.CreatedAt - pr.SeenAt > TimeSpan.FromSeconds(1))
        {
            problem ??= $"PR #{pr.Number} created_at {pr.CreatedAt:HH:mm:ss} but first seen {pr.SeenAt:HH:mm:ss.fff}";
        }

        var cycle = worker.CycleAround(pr.SeenAt);
        return new(trial, fault, worker.Mode, at, Phase(at), firstScrape, pr.SeenAt - at, pr.Number, cycle?.Trigger, webhook,
            cycle is null ? null : cycle.StartedAt - at, cycle?.Duration, problem);
    }

    public static string Describe(Measurement m)
    {
        var parts = new List<string>();
        parts.Add(m.Latency is { } l ? $"rollback PR #{m.PullRequest} after {l.TotalSeconds:0.0} s" : $"NO rollback PR within {m.Fault.Timeout.TotalMinutes:0} min");
        if (m.FirstScrape is { } s)
        {
            parts.Add($"first scrape +{s.TotalSeconds:0.0} s");
        }

        if (m.Webhook is { } w)
        {
            parts.Add($"webhook +{w.TotalSeconds:0.0} s");
        }

        if (m.CycleStart is { } c)
        {
            parts.Add($"cycle ({m.Trigger}) started +{c.TotalSeconds:0.0} s, ran {m.CycleRun?.TotalSeconds:0.0} s");
        }

        return string.Join("; ", parts) + (m.Problem is { } p ? $"  INVALID: {p}" : "");
    }

    /// <summary>
    /// Starts a rig, up to three times: on a shared machine a free port picked for a worker can be taken by someone else
    /// before the worker binds it. Nothing is measured before the rig is up, so a retry changes no result.
    /// </summary>
    private static async Task<Rig> StartRigAsync(BenchSettings settings, Action<string> print, int number, CancellationToken ct)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await Rig.StartAsync(settings, ct);
            }
            catch (Exception ex) when (attempt < 3 && ex is InvalidOperationException or TimeoutException or IOException)
            {
                print($"trial {number}: the rig did not start ({ex.Message.Split('\n')[0]}); again");
            }
        }
    }

    /// <summary>Seconds since the last :00/:30 tick of the default schedule.</summary>
    private static double Phase(DateTimeOffset at) => (at.Second % 30) + (at.Millisecond / 1000.0);

    private static string Tail(string log) => string.Join("\n", log.Split('\n').TakeLast(15));

    private static async Task WaitUntilAsync(Func<bool> done, TimeSpan timeout, Rig rig, CancellationToken ct, bool throwOnTimeout = true)
    {
        var deadline = DateTimeOffset.UtcNow + timeout;
        while (!done())
        {
            if (rig.Workers.FirstOrDefault(w => w.Process.HasExited) is { } dead)
            {
                throw new InvalidOperationException($"the {dead.Mode} worker exited with code {dead.Process.ExitCode}:\n  " + string.Join("\n  ", dead.Process.Tail()));
            }

            if (!Directory.Exists($"/proc/{rig.Prometheus.ProcessId}"))
            {
                throw new InvalidOperationException($"prometheus (pid {rig.Prometheus.ProcessId}) is gone; its last output:\n{Tail(rig.Prometheus.ServerLog)}");
            }

            if (DateTimeOffset.UtcNow > deadline)
            {
                if (throwOnTimeout)
                {
                    throw new TimeoutException($"not within {timeout.TotalSeconds.ToString("0", CultureInfo.InvariantCulture)} s; worker logs in {rig.WorkDirectory}");
                }

                return;
            }

            await Task.Delay(100, ct);
        }
    }
}
