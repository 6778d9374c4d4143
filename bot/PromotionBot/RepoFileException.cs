namespace PromotionBot;

/// <summary>A problem in a file of the GitOps repository, located so a human can fix it: "path:line:column: message".</summary>
public sealed class RepoFileException(string file, int line, int column, string problem)
    : Exception(line > 0 ? $"{file}:{line}:{column}: {problem}" : $"{file}: {problem}")
{
    /// <summary>Repository-relative path (forward slashes).</summary>
    public string File { get; } = file;

    /// <summary>1-based line, 0 when the whole file is concerned.</summary>
    public int Line { get; } = line;

    public int Column { get; } = column;

    public string Problem { get; } = problem;
}
