using System.Text.RegularExpressions;
using Repository.Tests.Loading;
using Repository.Tests.Model;

namespace Repository.Tests.Docs;

/// <summary>Every relative link between the documents resolves: the file or folder exists, and a #fragment names a heading.</summary>
public static partial class DocLinks
{
    public static IEnumerable<Violation> Check(DocSet docs)
    {
        foreach (var file in docs.Files.Values.OrderBy(f => f.RelativePath, StringComparer.Ordinal))
        {
            foreach (var link in file.Links)
            {
                if (Check(docs, file, link) is { } problem)
                {
                    yield return new Violation(new Origin(file.RelativePath, link.Line), $"link {link.Target}", problem);
                }
            }
        }
    }

    private static string? Check(DocSet docs, MarkdownFile file, MarkdownLink link)
    {
        if (Scheme().IsMatch(link.Target))
        {
            return null; // web links are not checked offline
        }

        var hash = link.Target.IndexOf('#', StringComparison.Ordinal);
        var path = Uri.UnescapeDataString(hash < 0 ? link.Target : link.Target[..hash]);
        var anchor = hash < 0 ? null : link.Target[(hash + 1)..];

        string relative;
        if (path.Length == 0)
        {
            relative = file.RelativePath;
        }
        else
        {
            if (path.StartsWith('/'))
            {
                return "absolute path: write it relative to this file so it works on GitHub and in a clone";
            }

            var full = Path.GetFullPath(Path.Combine(docs.Root, Path.GetDirectoryName(file.RelativePath) ?? "", path));
            relative = RepoRoot.Relative(full, docs.Root);
            if (relative.StartsWith("..", StringComparison.Ordinal))
            {
                return "points outside the repository";
            }

            if (!File.Exists(full) && !Directory.Exists(full))
            {
                return $"{relative} does not exist";
            }
        }

        if (anchor is null || !relative.EndsWith(".md", StringComparison.Ordinal))
        {
            return null;
        }

        if (!docs.Files.TryGetValue(relative, out var target))
        {
            return $"{relative} is not a document of this repository";
        }

        return target.Anchors.Contains(anchor)
            ? null
            : $"{relative} has no heading with anchor #{anchor} (anchors: {string.Join(", ", target.Anchors.Order(StringComparer.Ordinal).Select(a => "#" + a))})";
    }

    [GeneratedRegex("^[A-Za-z][A-Za-z0-9+.-]*:")]
    private static partial Regex Scheme();
}
