using System.Globalization;
using System.Text;

namespace PromotionBot.Tests.Git;

/// <summary>Builds a `git fast-import` stream: the quickest way to write commits (even thousands) into a bare repo.</summary>
internal sealed class FastImport
{
    private readonly StringBuilder stream = new();
    private readonly HashSet<string> started = [];
    private long time = 1_700_000_000;

    public int Count { get; private set; }

    /// <summary>Adds a commit by the human on <paramref name="branch"/>; the first commit on a branch in this stream
    /// starts from <paramref name="parent"/> (or from nothing).</summary>
    public void Commit(string branch, string message, Dictionary<string, string> files, string? parent = null,
        string author = "Human Operator <human@example.com>")
    {
        var when = (time++).ToString(CultureInfo.InvariantCulture) + " +0000";
        stream.Append($"commit refs/heads/{branch}\n");
        stream.Append($"author {author} {when}\ncommitter {author} {when}\n");
        Data(message + "\n");
        if (started.Add(branch) && parent is not null)
        {
            stream.Append($"from {parent}\n");
        }

        foreach (var (path, content) in files)
        {
            stream.Append($"M 100644 inline {path}\n");
            Data(content);
        }

        stream.Append('\n');
        Count++;
    }

    public void Run(string bareRepo) => GitCli.RunWithInput(bareRepo, stream.ToString(), "fast-import", "--quiet");

    private void Data(string text) =>
        stream.Append($"data {Encoding.UTF8.GetByteCount(text)}\n").Append(text).Append('\n');
}
