namespace PromotionBot.PullRequests;

/// <summary>An open pull request the bot recognises as its own (head branch under promotion/ and a parsable marker).</summary>
public sealed record BotPullRequest(
    int Number,
    string Title,
    string Body,
    string HeadRef,
    string HeadSha,
    string HtmlUrl,
    IReadOnlyList<string> Labels,
    PullRequestMarker Marker);
