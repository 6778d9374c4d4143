using Repository.Tests.Model;

namespace Repository.Tests.Invariants;

/// <summary>
/// Every container image names an exact version: a tag other than `latest`, or a digest. The one exception is an image
/// published only under `latest` (the tutorial's ecommerce-ui): allowed with imagePullPolicy IfNotPresent, so a node
/// keeps the copy it pulled first, and <see cref="FloatingTags"/> requires a comment saying why.
/// </summary>
public static class PinnedImages
{
    public static IEnumerable<Violation> Check(IReadOnlyList<K8sObject> objects)
    {
        foreach (var pod in PodTemplate.In(objects))
        {
            foreach (var list in new[] { "containers", "initContainers", "ephemeralContainers" })
            {
                foreach (var container in pod.PodSpec.Seq(list))
                {
                    var name = container.Str("name") ?? "?";
                    var image = container.Str("image");
                    if (image is null)
                    {
                        yield return pod.Owner.Violation(container, $"{list} '{name}' has no image");
                    }
                    else if (Problem(image) is { } problem && !(IsLatest(image) && container.Str("imagePullPolicy") == "IfNotPresent"))
                    {
                        yield return pod.Owner.Violation(container, $"{list} '{name}' image '{image}' {problem}");
                    }
                }
            }
        }
    }

    private static bool IsLatest(string image) => image.EndsWith(":latest", StringComparison.Ordinal);

    /// <summary>Why an image reference is not pinned, or null when it is.</summary>
    public static string? Problem(string image)
    {
        if (image.Contains('@', StringComparison.Ordinal))
        {
            return null; // a digest pins the exact content
        }
        var lastSegment = image[(image.LastIndexOf('/') + 1)..]; // a registry port ("host:5000/x") is not a tag
        var colon = lastSegment.LastIndexOf(':');
        if (colon < 0)
        {
            return "has no tag (resolves to latest)";
        }
        var tag = lastSegment[(colon + 1)..];
        return tag.Length == 0 ? "has an empty tag" : tag == "latest" ? "uses the mutable tag 'latest'" : null;
    }
}
