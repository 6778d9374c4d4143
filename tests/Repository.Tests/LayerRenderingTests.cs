using Repository.Tests.Invariants;
using Repository.Tests.Loading;

namespace Repository.Tests;

/// <summary>Every kustomize layer builds: offline ones with kubectl here; Helm/remote ones are checked structurally (CI renders them).</summary>
public sealed class LayerRenderingTests
{
    [Theory]
    [MemberData(nameof(Real.OfflineLayers), MemberType = typeof(Real))]
    public async Task Offline_layer_builds_with_kubectl_kustomize(string layer)
    {
        var result = await KustomizeRenderer.RenderAsync(RepoRoot.Full(layer), RepoRoot.Path);

        Assert.True(result.Succeeded, $"{layer}: {result.Error}");
        var objects = YamlDocuments.Objects(result.Output, layer, withLines: false);
        Assert.NotEmpty(objects);
    }

    [Theory]
    [MemberData(nameof(Real.NetworkLayers), MemberType = typeof(Real))]
    public void Helm_and_remote_layer_is_pinned_and_complete(string layer)
    {
        var kustomization = Real.Graph.At(RepoRoot.Full(layer))!;

        Expect.None(HelmCharts.Check(kustomization).Concat(RemoteBases.Check(kustomization)));
    }

    [Fact]
    public async Task Render_failure_names_the_entry_point_and_carries_stderr()
    {
        var result = await KustomizeRenderer.RenderAsync(Broken.FullPath("unbuildable"), RepoRoot.Path);

        Assert.False(result.Succeeded);
        Assert.Equal(Broken.File("unbuildable"), result.EntryPoint);
        Assert.Contains("deployment.yaml", result.Error, StringComparison.Ordinal); // kustomize's own stderr
    }

    [Fact]
    public void Unpinned_helm_chart_is_reported_with_file_line_and_chart()
    {
        var violations = HelmCharts.Check(Broken.Layer("helm-unpinned")).ToList();
        var file = Broken.File("helm-unpinned/kustomization.yaml");

        Expect.One(violations, file, "helmCharts[0] istiod", "version '~1.28' is not an exact semver pin", line: 7);
        Expect.One(violations, file, "helmCharts[0] istiod", "is not an https:// (or oci://) URL", line: 6);
        Expect.One(violations, file, "helmCharts[0] istiod", "has no releaseName", line: 5);
        Expect.One(violations, file, "helmCharts[0] istiod", "values file 'values-missing.yaml' does not exist");
        Assert.DoesNotContain(violations, v => v.Subject.Contains("base", StringComparison.Ordinal));
    }

    [Fact]
    public void Remote_base_on_a_branch_or_without_ref_is_reported()
    {
        var violations = RemoteBases.Check(Broken.Layer("remote-unpinned")).ToList();
        var file = Broken.File("remote-unpinned/kustomization.yaml");

        Expect.One(violations, file, "resources https://github.com/argoproj/argo-cd/manifests/cluster-install?ref=master", "follows 'master'", line: 5);
        Expect.One(violations, file, "resources https://raw.githubusercontent.com/argoproj/argo-cd/stable/manifests/install.yaml", "follows 'stable'", line: 6);
        Expect.One(violations, file, "resources github.com/example-org/platform//base", "is not pinned", line: 7);
        Assert.Equal(3, violations.Count);
    }

    [Fact]
    public void Layer_graph_marks_helm_and_remote_layers_as_needing_network()
    {
        var graph = LayerGraph.Discover(RepoRoot.Full(Broken.Folder));

        Assert.True(graph.NeedsNetwork(graph.At(Broken.FullPath("helm-unpinned"))!));
        Assert.True(graph.NeedsNetwork(graph.At(Broken.FullPath("remote-unpinned"))!));
        Assert.False(graph.NeedsNetwork(graph.At(Broken.FullPath("rendered"))!));
    }

    [Fact]
    public void Every_component_is_built_through_some_layer()
    {
        Assert.Contains(Real.Graph.Layers.Values, l => l.IsComponent);
        Expect.None(ComponentsUsed.Check(Real.Graph));
    }

    [Fact]
    public void Unused_component_is_reported()
    {
        var violations = ComponentsUsed.Check(LayerGraph.Discover(RepoRoot.Full(Broken.Folder))).ToList();

        // The graph is rooted at the broken folder, so paths are relative to it.
        Expect.One(violations, "unused-component/kustomization.yaml", "Component unused-component", "is used by no kustomization");
        Expect.One(violations, "gitops-repo/apps/web/canary/kustomization.yaml", "Component gitops-repo/apps/web/canary", "is used by no kustomization");
        Assert.Equal(2, violations.Count);
    }
}
