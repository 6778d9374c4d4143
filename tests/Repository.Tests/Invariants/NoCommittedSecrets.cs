using Repository.Tests.Loading;
using Repository.Tests.Model;

namespace Repository.Tests.Invariants;

/// <summary>No secret material in git: no Secret with data/stringData, no secretGenerator with literals, files or envs.</summary>
public static class NoCommittedSecrets
{
    public static IEnumerable<Violation> Check(IReadOnlyList<K8sObject> objects)
    {
        foreach (var secret in objects.Where(o => o.Kind == "Secret" && o.ApiVersion == "v1"))
        {
            foreach (var field in new[] { "data", "stringData" })
            {
                if (secret.Body.Get(field) is { } node && node.HasContent())
                {
                    yield return secret.Violation(node, $"commits secret {field} ({string.Join(", ", node.StringMap().Keys)}); use a secret manager or create it out of band");
                }
            }
        }
    }

    public static IEnumerable<Violation> Check(Kustomization layer)
    {
        foreach (var generator in layer.Body.Seq("secretGenerator"))
        {
            var sources = new[] { "literals", "files", "envs" }.Where(f => generator.Get(f).HasContent()).ToList();
            if (sources.Count > 0)
            {
                yield return new Violation(new Origin(layer.RelativeFile, generator.Line()), $"secretGenerator {generator.Str("name")}",
                    $"generates a Secret from committed {string.Join("/", sources)}");
            }
        }
    }
}
