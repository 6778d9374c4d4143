using Microsoft.Extensions.Logging;

namespace PromotionBot.Git;

/// <summary>The git layer's log lines, source-generated (no boxing, no parsing of templates at run time).</summary>
internal static partial class GitLog
{
    [LoggerMessage(Level = LogLevel.Warning, Message = "{Operation}: attempt {Attempt}/{Max} failed ({Problem}); retrying in {Delay} ms")]
    public static partial void Retrying(this ILogger logger, string operation, int attempt, int max, string problem, int delay);

    [LoggerMessage(Level = LogLevel.Information, Message = "Checked out {Base} at {Sha}")]
    public static partial void CheckedOut(this ILogger logger, string @base, string sha);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Leaving branch {Branch} alone: {Detail}")]
    public static partial void LeavingBranchAlone(this ILogger logger, string branch, string detail);

    [LoggerMessage(Level = LogLevel.Information, Message = "Branch {Branch} already holds this change on {Base}")]
    public static partial void BranchUpToDate(this ILogger logger, string branch, string @base);

    [LoggerMessage(Level = LogLevel.Information, Message = "Pushed: {Detail}")]
    public static partial void Pushed(this ILogger logger, string detail);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Not deleting branch {Branch}: {Detail}")]
    public static partial void NotDeleting(this ILogger logger, string branch, string detail);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Not deleting branch {Branch}: it moved to {Sha} since it was judged")]
    public static partial void NotDeletingMoved(this ILogger logger, string branch, string sha);

    [LoggerMessage(Level = LogLevel.Information, Message = "Deleted branch {Branch} (was {Sha})")]
    public static partial void Deleted(this ILogger logger, string branch, string sha);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Cached clone {Dir} is not a valid repository (interrupted clone?); cloning afresh")]
    public static partial void InvalidClone(this ILogger logger, string dir);

    [LoggerMessage(Level = LogLevel.Information, Message = "Cloning {Remote} into {Dir}")]
    public static partial void Cloning(this ILogger logger, string remote, string dir);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Removing stale {Lock}")]
    public static partial void RemovingStaleLock(this ILogger logger, string @lock);

    [LoggerMessage(Level = LogLevel.Information, Message = "Removing leftover {Dir} of an interrupted run")]
    public static partial void RemovingLeftover(this ILogger logger, string dir);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not remove {Dir}: {Problem}")]
    public static partial void CouldNotRemove(this ILogger logger, string dir, string problem);
}
