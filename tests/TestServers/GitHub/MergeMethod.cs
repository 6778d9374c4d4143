namespace TestServers.GitHub;

/// <summary>How a PR lands on its base: GitHub's three merge methods, and a plain fast-forward done outside GitHub.</summary>
public enum MergeMethod
{
    /// <summary>GitHub's "Create a merge commit": always a new commit with the base tip and the head as parents.</summary>
    Merge,

    /// <summary>One new commit with the merged tree on top of the base; the head's commits stay outside the base.</summary>
    Squash,

    /// <summary>Each head commit replayed on the base with GitHub as committer (new shas, as GitHub always makes).</summary>
    Rebase,

    /// <summary>Not a GitHub method: the base moves to the head when the head sits on it, else a merge commit.</summary>
    FastForward,
}
