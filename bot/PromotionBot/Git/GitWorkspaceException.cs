namespace PromotionBot.Git;

/// <summary>
/// A git operation of the bot failed (after retries where retrying made sense). The message is safe to log:
/// it never contains the token, and the inner exception is dropped when its text would leak it.
/// </summary>
public sealed class GitWorkspaceException : Exception
{
    public GitWorkspaceException(string message)
        : base(message)
    {
    }

    public GitWorkspaceException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    public GitWorkspaceException()
    {
    }
}
