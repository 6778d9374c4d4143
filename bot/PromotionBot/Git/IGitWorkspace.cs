namespace PromotionBot.Git;

/// <summary>The bot's clone of the GitOps repository: where the cycle reads the base branch and publishes its branches.</summary>
public interface IGitWorkspace
{
    /// <summary>Fetches and checks out the base branch head; the snapshot's folder is what the analyzer reads.</summary>
    Task<RepoSnapshot> SyncAsync(CancellationToken ct);

    /// <summary>Makes the remote branch hold exactly <paramref name="change"/> on the current base, never over someone else's commits.</summary>
    Task<PublishResult> PublishAsync(ProposedChange change, CancellationToken ct);

    /// <summary>Deletes a bot-only branch; false (and nothing deleted) when it holds someone else's commits.</summary>
    Task<bool> DeleteBranchAsync(string branch, CancellationToken ct);

    /// <summary>Deletes a bot-only branch only while its head is still <paramref name="expectedHead"/>.</summary>
    Task<bool> DeleteBranchAsync(string branch, string expectedHead, CancellationToken ct);

    /// <summary>The remote's branches under <paramref name="prefix"/>, with who wrote them and their head's trailers.</summary>
    Task<IReadOnlyList<RemoteBranch>> ListBranchesAsync(string prefix, CancellationToken ct);

    /// <summary>The newest commit reachable from <paramref name="fromSha"/> that changed <paramref name="path"/>; null if none.</summary>
    Task<string?> LastCommitChangingAsync(string fromSha, string path, CancellationToken ct);

    /// <summary>Whether <paramref name="descendantSha"/> contains <paramref name="ancestorSha"/>; null when a commit is unknown here.</summary>
    Task<bool?> ContainsAsync(string descendantSha, string ancestorSha, CancellationToken ct);
}
