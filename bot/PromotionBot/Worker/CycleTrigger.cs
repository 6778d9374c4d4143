using System.Threading.Channels;

namespace PromotionBot.Worker;

/// <summary>
/// Asks the worker for a cycle now instead of at the next scheduled time (e.g. an Alertmanager webhook about a canary).
/// Requests that arrive while a cycle runs or before the worker wakes are merged into one cycle.
/// </summary>
public sealed class CycleTrigger
{
    private readonly Channel<IReadOnlySet<string>?> requests = Channel.CreateUnbounded<IReadOnlySet<string>?>(
        new UnboundedChannelOptions { SingleReader = true });

    /// <summary>Requests a cycle for the named canaries (<c>namespace/name</c>); null or empty means every canary.</summary>
    public void Request(IEnumerable<string>? canaries = null)
    {
        var set = canaries?.ToHashSet(StringComparer.Ordinal);
        requests.Writer.TryWrite(set is { Count: > 0 } ? set : null);
    }

    internal Task<bool> WaitAsync(CancellationToken ct) => requests.Reader.WaitToReadAsync(ct).AsTask();

    /// <summary>Takes every pending request, merged: null (all canaries) wins over any named set.</summary>
    internal bool TryTakeAll(out IReadOnlySet<string>? canaries)
    {
        canaries = null;
        HashSet<string>? merged = null;
        var any = false;
        var all = false;
        while (requests.Reader.TryRead(out var request))
        {
            any = true;
            if (request is null)
            {
                all = true;
            }
            else
            {
                (merged ??= new HashSet<string>(StringComparer.Ordinal)).UnionWith(request);
            }
        }

        canaries = all ? null : merged;
        return any;
    }
}
