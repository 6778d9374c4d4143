using System.Collections.Concurrent;
using Repository.Tests.Model;

namespace Repository.Tests.Loading;

/// <summary>Objects that land in one cluster: everything its entry points render (or, for Helm/remote layers, their local files).</summary>
public sealed record DeploymentUnit(string Name, IReadOnlyList<K8sObject> Objects);

/// <summary>
/// The repository read once: committed YAML, the kustomize layer graph, every offline layer rendered, the Argo CD
/// Applications that will exist, and the objects each cluster receives. Works on any root, so invariant tests can
/// point it at a small broken repository under Fixtures/.
/// </summary>
public sealed class RepositorySnapshot
{
    private static readonly ConcurrentDictionary<string, Lazy<Task<RepositorySnapshot>>> Cache = new(StringComparer.Ordinal);

    private RepositorySnapshot(string root) => Root = root;

    public string Root { get; }

    public LayerGraph Graph { get; private set; } = null!;

    /// <summary>Every Kubernetes-shaped document committed in YAML files (file:line origins).</summary>
    public IReadOnlyList<K8sObject> CommittedObjects { get; private set; } = [];

    /// <summary>YAML files that do not parse.</summary>
    public IReadOnlyList<string> ParseErrors { get; private set; } = [];

    /// <summary>Rendering of every layer that needs no network, by repository-relative directory.</summary>
    public IReadOnlyDictionary<string, RenderResult> Renders { get; private set; } = new Dictionary<string, RenderResult>();

    /// <summary>Layers nobody builds on: what Argo CD (or the bootstrap) applies.</summary>
    public IReadOnlyList<Kustomization> EntryPoints { get; private set; } = [];

    /// <summary>Objects each entry point contributes, by repository-relative directory.</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<K8sObject>> EntryPointObjects { get; private set; } = new Dictionary<string, IReadOnlyList<K8sObject>>();

    public IReadOnlyList<DeploymentUnit> Units { get; private set; } = [];

    /// <summary>
    /// Namespaces that Helm/remote entry points deploy into: their content is only known after a CI render, so checks
    /// that need to see every Service of a namespace skip them.
    /// </summary>
    public IReadOnlySet<string> OpaqueNamespaces { get; private set; } = new HashSet<string>();

    public IReadOnlyList<K8sObject> DeployedObjects => EntryPointObjects.Values.SelectMany(o => o).ToList();

    public static Task<RepositorySnapshot> LoadAsync(string root) =>
        Cache.GetOrAdd(Path.GetFullPath(root), r => new Lazy<Task<RepositorySnapshot>>(() => BuildAsync(r))).Value;

    private static async Task<RepositorySnapshot> BuildAsync(string root)
    {
        var snapshot = new RepositorySnapshot(root) { Graph = LayerGraph.Discover(root) };
        snapshot.ReadCommittedYaml();
        var offline = snapshot.Graph.Buildable.Where(l => !snapshot.Graph.NeedsNetwork(l)).ToList();
        var renders = await Task.WhenAll(offline.Select(l => KustomizeRenderer.RenderAsync(l.Directory, root)));
        snapshot.Renders = renders.ToDictionary(r => r.EntryPoint, StringComparer.Ordinal);
        snapshot.EntryPoints = snapshot.Graph.Roots.ToList();

        // Applications decide the namespace of objects their layer leaves unnamespaced, so read them first.
        var firstPass = snapshot.EntryPoints.SelectMany(e => snapshot.ObjectsOf(e, new Dictionary<string, string>())).ToList();
        var destinations = Applications(firstPass, root)
            .SelectMany(a => a.Sources.Where(s => s.Path is not null && a.DestinationNamespace is not null).Select(s => (Path: s.Path!.TrimEnd('/'), Ns: a.DestinationNamespace!)))
            .GroupBy(x => x.Path, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.First().Ns, StringComparer.Ordinal);
        snapshot.EntryPointObjects = snapshot.EntryPoints.ToDictionary(e => e.RelativeDirectory, e => snapshot.ObjectsOf(e, destinations), StringComparer.Ordinal);
        snapshot.Units = snapshot.GroupByCluster();
        snapshot.OpaqueNamespaces = snapshot.EntryPoints.Where(snapshot.Graph.NeedsNetwork)
            .SelectMany(e => snapshot.Graph.Closure(e)
                .SelectMany(l => l.HelmCharts.Select(c => c.Str("namespace")).Append(l.Body.Str("namespace")))
                .Append(destinations.GetValueOrDefault(e.RelativeDirectory)))
            .OfType<string>()
            .ToHashSet(StringComparer.Ordinal);
        return snapshot;
    }

    /// <summary>The Applications (including ApplicationSet-generated ones) among the given objects.</summary>
    public static IReadOnlyList<ArgoApplication> Applications(IEnumerable<K8sObject> objects, string root)
    {
        var directories = RepoFiles.Directories(root).ToList();
        return objects.SelectMany(o => ArgoApplication.From(o, directories))
            .DistinctBy(a => (a.Manifest.Kind, a.Manifest.Namespace, a.Name, Paths: string.Join(',', a.Sources.Select(s => s.Path))))
            .ToList();
    }

    public IReadOnlyList<ArgoApplication> DeployedApplications() => Applications(DeployedObjects, Root);

    private void ReadCommittedYaml()
    {
        var objects = new List<K8sObject>();
        var errors = new List<string>();
        foreach (var file in RepoFiles.Yaml(Root))
        {
            try
            {
                objects.AddRange(YamlDocuments.ObjectsInFile(file, Root));
            }
            catch (InvalidDataException e)
            {
                errors.Add(e.Message);
            }
        }
        CommittedObjects = objects;
        ParseErrors = errors;
    }

    /// <summary>Rendered objects for offline layers; for Helm/remote layers, the local manifests of every layer they build on.</summary>
    private IReadOnlyList<K8sObject> ObjectsOf(Kustomization entryPoint, IReadOnlyDictionary<string, string> destinations)
    {
        var defaultNamespace = destinations.GetValueOrDefault(entryPoint.RelativeDirectory);
        if (Renders.TryGetValue(entryPoint.RelativeDirectory, out var render))
        {
            if (!render.Succeeded)
            {
                return [];
            }
            try
            {
                var sources = SourceIndex(entryPoint);
                return YamlDocuments.Objects(render.Output, entryPoint.RelativeDirectory, defaultNamespace, withLines: false)
                    .Select(o => sources.TryGetValue((o.Kind, o.Name), out var source) ? o with { Origin = o.Origin with { Source = source } } : o)
                    .ToList();
            }
            catch (InvalidDataException)
            {
                return [];
            }
        }
        return Graph.Closure(entryPoint)
            .SelectMany(layer => layer.LocalFiles.SelectMany(f => TryReadObjects(f.FullPath,
                layer.Body.Str("namespace") ?? entryPoint.Body.Str("namespace") ?? defaultNamespace)))
            .ToList();
    }

    /// <summary>Objects of one file; a file that does not parse contributes none (the YAML parse test names it).</summary>
    private IReadOnlyList<K8sObject> TryReadObjects(string fullPath, string? defaultNamespace)
    {
        try
        {
            return YamlDocuments.ObjectsInFile(fullPath, Root, defaultNamespace);
        }
        catch (InvalidDataException)
        {
            return [];
        }
    }

    /// <summary>Where each (kind, name) rendered from this entry point is defined: the resource files of every layer it builds on.</summary>
    private Dictionary<(string Kind, string Name), string> SourceIndex(Kustomization entryPoint)
    {
        var index = new Dictionary<(string, string), string>();
        foreach (var layer in Graph.Closure(entryPoint))
        {
            foreach (var (_, file) in layer.LocalFiles)
            {
                foreach (var o in TryReadObjects(file, null))
                {
                    index.TryAdd((o.Kind, o.Name), o.Origin.ToString());
                }
            }
        }
        return index;
    }

    /// <summary>Entry points under clusters/NAME/ form that cluster's unit; entry points elsewhere are shared by every cluster.</summary>
    private IReadOnlyList<DeploymentUnit> GroupByCluster()
    {
        static string Cluster(string dir)
        {
            var parts = dir.Split('/');
            return parts.Length >= 2 && parts[0] == "clusters" ? $"clusters/{parts[1]}" : "";
        }
        var byCluster = EntryPointObjects.GroupBy(e => Cluster(e.Key)).ToDictionary(g => g.Key, g => g.SelectMany(e => e.Value).ToList());
        var shared = byCluster.GetValueOrDefault("") ?? [];
        var clusters = byCluster.Keys.Where(k => k.Length > 0).Order(StringComparer.Ordinal).ToList();
        return clusters.Count == 0
            ? [new DeploymentUnit("repository", shared)]
            : clusters.Select(c => new DeploymentUnit(c, [.. byCluster[c], .. shared])).ToList();
    }
}
