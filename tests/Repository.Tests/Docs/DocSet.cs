using Repository.Tests.Loading;

namespace Repository.Tests.Docs;

/// <summary>Every Markdown document of a repository (what git would commit, test fixtures excluded), parsed once.</summary>
public sealed class DocSet
{
    public string Root { get; }
    public IReadOnlyDictionary<string, MarkdownFile> Files { get; }

    private DocSet(string root, IReadOnlyDictionary<string, MarkdownFile> files)
    {
        Root = root;
        Files = files;
    }

    public static DocSet Load(string root) => new(root, RepoFiles.Markdown(root)
        .Select(f => MarkdownFile.Load(f, RepoRoot.Relative(f, root)))
        .ToDictionary(m => m.RelativePath, StringComparer.Ordinal));

    private static readonly Lazy<DocSet> RealDocs = new(() => Load(RepoRoot.Path));

    public static DocSet Real => RealDocs.Value;
}
