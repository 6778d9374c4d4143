using System.Text.RegularExpressions;
using Repository.Tests.Model;

namespace Repository.Tests.Invariants;

/// <summary>
/// A floating image tag (`latest`, or only a major/minor version such as `mongo:6.0`) is used only where no exact tag
/// is known to exist: it needs imagePullPolicy IfNotPresent (a node keeps the copy it pulled first instead of
/// re-pulling whatever the tag points at today) and a comment on or just above the image line saying why.
/// Checked in the committed files, where comments and lines are visible; folders vendored unchanged from upstream
/// (marked by a PROVENANCE.md, like infrastructure/addons/upstream) keep upstream's tags and are skipped.
/// </summary>
public static partial class FloatingTags
{
    public static IEnumerable<Violation> Check(IEnumerable<K8sObject> committed, string root)
    {
        var lines = new Dictionary<string, string[]>(StringComparer.Ordinal);
        foreach (var pod in PodTemplate.In(committed.Where(o => o.Origin.Line is not null && !Vendored(o.Origin.File, root))))
        {
            foreach (var container in new[] { "initContainers", "containers" }.SelectMany(l => pod.PodSpec.Seq(l)))
            {
                if (container.Get("image") is not { } imageNode || container.Str("image") is not { } image || !IsFloating(image))
                {
                    continue;
                }
                var name = container.Str("name") ?? "?";
                if (container.Str("imagePullPolicy") != "IfNotPresent")
                {
                    yield return pod.Owner.Violation(imageNode, $"container '{name}' uses the floating tag '{image}' without imagePullPolicy: IfNotPresent");
                }
                var file = pod.Owner.Origin.File;
                if (!lines.TryGetValue(file, out var text))
                {
                    text = File.ReadAllLines(Path.Combine(root, file));
                    lines[file] = text;
                }
                var at = imageNode.Line(); // 1-based
                var commented = Enumerable.Range(at - 3, 4).Where(l => l >= 1 && l <= text.Length).Any(l => text[l - 1].Contains('#', StringComparison.Ordinal));
                if (!commented)
                {
                    yield return pod.Owner.Violation(imageNode, $"container '{name}' uses the floating tag '{image}' with no comment next to it saying why no exact tag is used");
                }
            }
        }
    }

    private static bool Vendored(string file, string root)
    {
        for (var dir = Path.GetDirectoryName(file); !string.IsNullOrEmpty(dir); dir = Path.GetDirectoryName(dir))
        {
            if (File.Exists(Path.Combine(root, dir, "PROVENANCE.md")))
            {
                return true;
            }
        }
        return false;
    }

    public static bool IsFloating(string image)
    {
        if (image.Contains('@', StringComparison.Ordinal))
        {
            return false;
        }
        var last = image[(image.LastIndexOf('/') + 1)..];
        var colon = last.LastIndexOf(':');
        return colon < 0 || MajorOrMinorOnly().IsMatch(last[(colon + 1)..]);
    }

    [GeneratedRegex(@"^(latest|v?\d+(\.\d+)?)$")]
    private static partial Regex MajorOrMinorOnly();
}
