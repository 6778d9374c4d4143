using System.Text.RegularExpressions;
using Repository.Tests.Loading;
using Repository.Tests.Model;

namespace Repository.Tests.Invariants;

/// <summary>
/// Structural check for layers that inflate Helm charts (rendered only in CI, where helm and the network exist): every
/// chart names its repository over https, an exact version, a release name, a namespace, and values that exist.
/// </summary>
public static partial class HelmCharts
{
    public static IEnumerable<Violation> Check(Kustomization layer)
    {
        var charts = layer.HelmCharts;
        for (var i = 0; i < charts.Count; i++)
        {
            var chart = charts[i];
            var name = chart.Str("name");
            var subject = $"helmCharts[{i}] {name ?? "(unnamed)"}";
            Violation At(YamlDotNet.RepresentationModel.YamlNode node, string message) => new(new Origin(layer.RelativeFile, node.Line()), subject, message);

            if (name is null)
            {
                yield return At(chart, "has no chart name");
            }
            if (chart.Str("repo") is not { } repo)
            {
                yield return At(chart, "has no repo");
            }
            else if (!repo.StartsWith("https://", StringComparison.Ordinal) && !repo.StartsWith("oci://", StringComparison.Ordinal))
            {
                yield return At(chart.Get("repo")!, $"repo '{repo}' is not an https:// (or oci://) URL");
            }
            if (chart.Str("version") is not { } version)
            {
                yield return At(chart, "has no version: the newest chart would be inflated on every render");
            }
            else if (!IsExactVersion(version))
            {
                yield return At(chart.Get("version")!, $"version '{version}' is not an exact semver pin");
            }
            if (chart.Str("releaseName") is null)
            {
                yield return At(chart, "has no releaseName");
            }
            if (chart.Str("namespace") is null)
            {
                yield return At(chart, "has no namespace");
            }
            var valuesFiles = new List<string>();
            if (chart.Str("valuesFile") is { } valuesFile)
            {
                valuesFiles.Add(valuesFile);
            }
            valuesFiles.AddRange(chart.Strings("additionalValuesFiles"));
            if (!chart.Get("valuesInline").HasContent() && valuesFiles.Count == 0)
            {
                yield return At(chart, "has neither valuesInline nor valuesFile: values are not reviewable in git");
            }
            foreach (var file in valuesFiles.Where(f => !File.Exists(Path.Combine(layer.Directory, f))))
            {
                yield return At(chart, $"values file '{file}' does not exist next to the kustomization");
            }
        }
    }

    public static bool IsExactVersion(string version) => ExactSemver().IsMatch(version);

    [GeneratedRegex(@"^v?(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?$")]
    private static partial Regex ExactSemver();
}
