namespace TestServers.GitHub;

/// <summary>
/// The bot process dying right after its Nth write to the outside world, for crash-recovery tests. Shared by the GitHub
/// test server (API writes) and the git HTTP server (pushes): both carry writes out until the Nth one has landed, then
/// refuse every request, and the token the cycle runs with is cancelled, so the cycle stops where a killed process
/// would and nothing it tries afterwards reaches either server.
/// </summary>
public sealed class CrashPoint : IDisposable
{
    private readonly object _gate = new();
    private readonly List<string> _writes = [];
    private readonly CancellationTokenSource _cts = new();

    /// <param name="afterWrites">Writes carried out before the crash; int.MaxValue never crashes (a probe that records the writes).</param>
    public CrashPoint(int afterWrites = int.MaxValue)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(afterWrites);
        AfterWrites = afterWrites;
    }

    public int AfterWrites { get; }

    /// <summary>Pass to the cycle: cancelled the moment the crash happens.</summary>
    public CancellationToken Token => _cts.Token;

    public bool Crashed
    {
        get
        {
            lock (_gate)
            {
                return _writes.Count >= AfterWrites;
            }
        }
    }

    /// <summary>Every write carried out, in order: "push promotion/ns/x", "delete promotion/ns/x", "POST pulls", "PATCH pulls/#"…</summary>
    public IReadOnlyList<string> Writes
    {
        get
        {
            lock (_gate)
            {
                return _writes.ToList();
            }
        }
    }

    /// <summary>A server records a write it carried out; the Nth one crashes the bot.</summary>
    public void Wrote(string what)
    {
        bool crashNow;
        lock (_gate)
        {
            if (_writes.Count >= AfterWrites)
            {
                throw new InvalidOperationException($"write '{what}' after the crash");
            }

            _writes.Add(what);
            crashNow = _writes.Count == AfterWrites;
        }

        if (crashNow)
        {
            _cts.Cancel();
        }
    }

    public void Dispose() => _cts.Dispose();
}
