namespace Repository.Tests.Loading;

/// <summary>
/// Every kustomization in the repository and how they reference each other. A layer needs the network when it
/// inflates a Helm chart, references a remote base, or builds on a layer that does; those are rendered in CI only.
/// </summary>
public sealed class LayerGraph
{
    private readonly Dictionary<string, bool> _needsNetwork = new(StringComparer.Ordinal);

    public LayerGraph(string root, IEnumerable<Kustomization> layers)
    {
        Root = root;
        Layers = layers.ToDictionary(l => l.Directory, StringComparer.Ordinal);
        foreach (var layer in Layers.Values)
        {
            NeedsNetwork(layer, []); // filled eagerly so concurrent readers never write
        }
    }

    public string Root { get; }

    /// <summary>Kustomizations by full directory path.</summary>
    public IReadOnlyDictionary<string, Kustomization> Layers { get; }

    /// <summary>Every kustomization under the root. One that is not valid YAML is left out here and reported, with its
    /// line, by the test that parses every committed YAML file.</summary>
    public static LayerGraph Discover(string root) =>
        new(root, RepoFiles.KustomizationDirectories(root).Select(d => TryLoad(d, root)).OfType<Kustomization>());

    private static Kustomization? TryLoad(string directory, string root)
    {
        try
        {
            return Kustomization.Load(directory, root);
        }
        catch (InvalidDataException)
        {
            return null;
        }
    }

    public Kustomization? At(string fullDirectory) =>
        Layers.GetValueOrDefault(Path.GetFullPath(fullDirectory).TrimEnd(Path.DirectorySeparatorChar));

    /// <summary>Layers nobody else builds on: the overlays and cluster entry points.</summary>
    public IEnumerable<Kustomization> Roots
    {
        get
        {
            var referenced = Layers.Values.SelectMany(l => l.LocalDirectories).ToHashSet(StringComparer.Ordinal);
            return Layers.Values.Where(l => !l.IsComponent && !referenced.Contains(l.Directory)).OrderBy(l => l.Directory, StringComparer.Ordinal);
        }
    }

    /// <summary>Layers that can be built on their own (components only make sense inside another layer).</summary>
    public IEnumerable<Kustomization> Buildable => Layers.Values.Where(l => !l.IsComponent).OrderBy(l => l.Directory, StringComparer.Ordinal);

    public bool NeedsNetwork(Kustomization layer) => NeedsNetwork(layer, []);

    /// <summary>The layer itself and every local layer it builds on, transitively.</summary>
    public IEnumerable<Kustomization> Closure(Kustomization layer)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var stack = new Stack<Kustomization>([layer]);
        while (stack.TryPop(out var current))
        {
            if (!seen.Add(current.Directory))
            {
                continue;
            }
            yield return current;
            foreach (var dir in current.LocalDirectories)
            {
                if (At(dir) is { } child)
                {
                    stack.Push(child);
                }
            }
        }
    }

    private bool NeedsNetwork(Kustomization layer, HashSet<string> visiting)
    {
        if (_needsNetwork.TryGetValue(layer.Directory, out var known))
        {
            return known;
        }
        if (!visiting.Add(layer.Directory))
        {
            return false; // a cycle; kustomize itself reports it when rendering
        }
        var result = layer.HelmCharts.Count > 0
            || layer.References.Any(r => r.IsRemote)
            || layer.LocalDirectories.Select(At).OfType<Kustomization>().Any(child => NeedsNetwork(child, visiting));
        _needsNetwork[layer.Directory] = result;
        return result;
    }
}
