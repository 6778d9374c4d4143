using Repository.Tests.Model;

namespace Repository.Tests.Loading;

/// <summary>One helmCharts entry of a layer and the folder kustomize inflates it from.</summary>
public sealed record HelmChartRef(Kustomization Layer, string Name, string Version)
{
    /// <summary>The layer's chart cache: helmGlobals.chartHome, by default "charts" next to the kustomization (git-ignored).</summary>
    public string ChartHome => Path.GetFullPath(Path.Combine(Layer.Directory, Layer.Body.Str("helmGlobals", "chartHome") ?? "charts"));

    /// <summary>Both layouts kustomize has used: charts/NAME-VERSION/NAME (kustomize 5) and charts/NAME (older).</summary>
    public IEnumerable<string> CacheFolders => [Path.Combine(ChartHome, $"{Name}-{Version}", Name), Path.Combine(ChartHome, Name)];

    public override string ToString() => $"{Name} {Version} ({Layer.RelativeFile})";
}

/// <summary>
/// Offline Helm rendering: kustomize inflates a chart without network when it already sits in the layer's chart cache.
/// The cache is filled by any earlier online render (`kubectl kustomize --enable-helm`), or by this class from a
/// vendored copy: a folder holding NAME-VERSION/NAME/Chart.yaml (or NAME/Chart.yaml), at vendor/helm-charts in the
/// repository or wherever HELM_CHARTS_VENDOR_DIR points.
/// </summary>
public static class HelmChartCache
{
    public const string VendorEnvironmentVariable = "HELM_CHARTS_VENDOR_DIR";
    public const string VendorFolder = "vendor/helm-charts";

    /// <summary>helm's path, or null when it is not on PATH.</summary>
    public static string? Helm { get; } = (Environment.GetEnvironmentVariable("PATH") ?? "")
        .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
        .Select(dir => Path.Combine(dir, "helm"))
        .FirstOrDefault(File.Exists);

    public static IReadOnlyList<HelmChartRef> Charts(LayerGraph graph, Kustomization entryPoint) =>
        graph.Closure(entryPoint)
            .SelectMany(layer => layer.HelmCharts.Select(c => (layer, name: c.Str("name"), version: c.Str("version"))))
            .Where(c => c.name is not null && c.version is not null)
            .Select(c => new HelmChartRef(c.layer, c.name!, c.version!))
            .ToList();

    /// <summary>The cached chart folder whose Chart.yaml has the pinned version, or null.</summary>
    public static string? Cached(HelmChartRef chart) => chart.CacheFolders.FirstOrDefault(f => HasVersion(f, chart.Version));

    /// <summary>The vendored copy of the chart, or null.</summary>
    public static string? Vendored(HelmChartRef chart, string root)
    {
        var vendor = Environment.GetEnvironmentVariable(VendorEnvironmentVariable) is { Length: > 0 } dir ? dir : Path.Combine(root, VendorFolder);
        return new[] { Path.Combine(vendor, $"{chart.Name}-{chart.Version}", chart.Name), Path.Combine(vendor, chart.Name) }
            .FirstOrDefault(f => HasVersion(f, chart.Version));
    }

    /// <summary>Why the charts of these entry points cannot be rendered offline here, or null when they can.</summary>
    public static string? Unavailable(LayerGraph graph, IEnumerable<Kustomization> entryPoints)
    {
        if (Helm is null)
        {
            return "helm is not on PATH, so the Istio charts are not rendered here (CI renders them on every pull request). " +
                   "Install helm 3 to run this test; see tests/Repository.Tests/README.md";
        }
        var missing = entryPoints.SelectMany(e => Charts(graph, e))
            .Where(c => Cached(c) is null && Vendored(c, graph.Root) is null)
            .Select(c => c.ToString()).Distinct().ToList();
        return missing.Count == 0
            ? null
            : $"helm is on PATH but these charts are neither in the layers' chart cache nor vendored ({VendorFolder} or ${VendorEnvironmentVariable}): " +
              $"{string.Join(", ", missing)}. Render once with network (kubectl kustomize --enable-helm clusters/kind/istiod) to fill the cache";
    }

    /// <summary>Copies a vendored chart into every cache layout, so whichever kustomize runs finds it and pulls nothing.</summary>
    public static void Fill(HelmChartRef chart, string root)
    {
        if (Cached(chart) is not null || Vendored(chart, root) is not { } source)
        {
            return;
        }
        foreach (var target in chart.CacheFolders)
        {
            CopyDirectory(source, target);
        }
    }

    private static bool HasVersion(string chartFolder, string version)
    {
        var file = Path.Combine(chartFolder, "Chart.yaml");
        return File.Exists(file)
            && YamlDocuments.Parse(File.ReadAllText(file), file) is [var chart, ..]
            && chart.Str("version") == version;
    }

    private static void CopyDirectory(string source, string target)
    {
        Directory.CreateDirectory(target);
        foreach (var file in Directory.EnumerateFiles(source))
        {
            File.Copy(file, Path.Combine(target, Path.GetFileName(file)), overwrite: true);
        }
        foreach (var dir in Directory.EnumerateDirectories(source))
        {
            CopyDirectory(dir, Path.Combine(target, Path.GetFileName(dir)));
        }
    }
}
