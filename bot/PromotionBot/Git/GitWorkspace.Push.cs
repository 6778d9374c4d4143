using LibGit2Sharp;

namespace PromotionBot.Git;

public sealed partial class GitWorkspace
{
    // Private namespace for the push source: no local branches to clutter or to collide with a checkout.
    private const string OutgoingRef = "refs/promotion-bot/outgoing";

    /// <summary>
    /// Pushes <paramref name="commit"/> (or deletes the branch when null) only if the remote branch is still
    /// <paramref name="expected"/> (null = absent). Returns null on success, or why another attempt is needed.
    /// </summary>
    /// <remarks>
    /// LibGit2Sharp has no --force-with-lease, but the wire protocol gives us the same guarantee: libgit2 sends the
    /// advertised old value with each ref update and receive-pack refuses the update if the ref changed meanwhile.
    /// The pre-push callback compares that advertised value with the head we inspected after our fetch, so the only
    /// unguarded window is between the server's advertisement and its ref lock, which the server itself closes.
    /// Only the bot writes these branches, so a mismatch is rare; it is answered by re-fetching and re-evaluating.
    /// </remarks>
    private string? PushWithLease(Repository repo, Commit? commit, string branch, ObjectId? expected, CancellationToken ct)
    {
        var destination = "refs/heads/" + branch;
        string refspec;
        if (commit is null)
        {
            refspec = ":" + destination;
        }
        else
        {
            repo.Refs.Add(OutgoingRef, commit.Id, "promotion-bot: outgoing " + branch, allowOverwrite: true);
            refspec = $"+{OutgoingRef}:{destination}";
        }

        var rejections = new List<PushStatusError>();
        string? leaseBroken = null;
        var pushOptions = access.PushOptions(
            rejections,
            updates =>
            {
                foreach (var update in updates.Where(u => u.DestinationRefName == destination))
                {
                    var want = expected ?? ObjectId.Zero;
                    if (update.SourceObjectId != want)
                    {
                        leaseBroken = $"{destination} on the remote is {Describe(update.SourceObjectId)}, expected {Describe(want)}";
                        return false;
                    }
                }

                return true;
            },
            ct);

        BeforePush?.Invoke(branch);
        try
        {
            repo.Network.Push(repo.Network.Remotes[CloneCache.RemoteName], refspec, pushOptions);
        }
        catch (LibGit2SharpException) when (leaseBroken is not null)
        {
            return leaseBroken;
        }

        if (leaseBroken is not null)
        {
            return leaseBroken;
        }

        return rejections.Count == 0
            ? null
            : "remote rejected " + string.Join("; ", rejections.Select(r => $"{r.Reference}: {access.Redact(r.Message)}"));
    }

    private static string Describe(ObjectId id) => id == ObjectId.Zero ? "absent" : id.Sha[..12];
}
