using Repository.Tests.Invariants;
using Repository.Tests.Loading;
using Repository.Tests.Model;

namespace Repository.Tests;

/// <summary>
/// The Helm entry points (the Istio charts) rendered offline with `kubectl kustomize --enable-helm` from the layers'
/// chart cache, then held to the same kind health rules as every other layer. Skipped, with the reason in the test
/// report, when helm or the charts are not available; CI (.github/workflows/ci.yml) fills the cache and runs it.
/// </summary>
public sealed class HelmRenderingTests
{
    /// <summary>Cluster entry points whose only need for the network is Helm (no remote bases).</summary>
    internal static IReadOnlyList<Kustomization> HelmEntryPoints { get; } = Real.Graph.Roots
        .Where(e => e.RelativeDirectory.StartsWith("clusters/", StringComparison.Ordinal))
        .Where(e => Real.Graph.Closure(e).Any(l => l.HelmCharts.Count > 0) && !Real.Graph.Closure(e).Any(l => l.References.Any(r => r.IsRemote)))
        .ToList();

    [Fact]
    public void The_istio_layers_are_the_helm_entry_points()
    {
        Assert.Equal(["clusters/kind/istio-base", "clusters/kind/istio-gateway", "clusters/kind/istiod"],
            HelmEntryPoints.Select(e => e.RelativeDirectory).Order(StringComparer.Ordinal));
    }

    [HelmChartsFact]
    public async Task Helm_layers_render_offline_with_no_hpa_and_nothing_unhealthy_on_kind()
    {
        var snapshot = await Real.SnapshotAsync();
        var rendered = new List<K8sObject>();
        foreach (var entryPoint in HelmEntryPoints)
        {
            var charts = HelmChartCache.Charts(Real.Graph, entryPoint);
            foreach (var chart in charts)
            {
                HelmChartCache.Fill(chart, RepoRoot.Path);
            }
            var result = await KustomizeRenderer.RenderWithHelmAsync(entryPoint.Directory, RepoRoot.Path);
            Assert.True(result.Succeeded, $"{entryPoint.RelativeDirectory}: {result.Error}");
            var objects = YamlDocuments.Objects(result.Output, entryPoint.RelativeDirectory, charts[0].Layer.HelmCharts[0].Str("namespace"), withLines: false);
            Assert.NotEmpty(objects);
            rendered.AddRange(objects);
        }

        Assert.DoesNotContain(rendered, o => o.Kind == "HorizontalPodAutoscaler");
        Assert.Contains(rendered, o => o.Kind == "Deployment" && o.Name == "istiod");
        // With the rest of the kind cluster, so Secrets other layers create count.
        var unit = snapshot.Units.Single(u => u.Name == "clusters/kind").Objects;
        Expect.None(KindHealth.Check([.. rendered, .. unit.Where(o => !rendered.Contains(o))]));
    }
}

/// <summary>A fact that xunit reports as skipped, with the reason, when the Helm entry points cannot be rendered offline here.</summary>
public sealed class HelmChartsFactAttribute : FactAttribute
{
    public HelmChartsFactAttribute()
    {
        if (HelmChartCache.Unavailable(Real.Graph, HelmRenderingTests.HelmEntryPoints) is { } reason)
        {
            Skip = reason;
        }
    }
}
