namespace PromotionBot.PullRequests;

/// <summary>
/// A bot branch with no open PR: only the bot committed on it, its head carries the bot's Promotion-Canary trailer for
/// the canary the branch is named after, and its PR is missing or was closed by the bot (not merged, not declined by a
/// person). Found again from git and GitHub alone, so a crash at any point is reconciled by the next cycle.
/// </summary>
/// <param name="Key">namespace/name of the canary the branch belongs to.</param>
/// <param name="HeadSha">The head the branch was judged at; it is deleted only while still there.</param>
/// <param name="Why">e.g. "its pull request #4 was closed by the bot", "no pull request was opened for it".</param>
public sealed record OrphanBranch(string Branch, string Key, string HeadSha, string Why);
