using Scenarios.Live;
using Xunit;
using YamlDotNet.RepresentationModel;

namespace PromotionBot.Tests.Mesh;

/// <summary>The simulated tutorial mesh is this repository's: the same Services, ports, subsets and replicas.</summary>
public sealed class TutorialMeshTests
{
    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "GitOpsPromotion.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("GitOpsPromotion.sln not found above " + AppContext.BaseDirectory);
    }

    private static IEnumerable<YamlMappingNode> Documents(string directory) =>
        Directory.EnumerateFiles(directory, "*.yaml").SelectMany(file =>
        {
            var stream = new YamlStream();
            using var reader = new StreamReader(file);
            stream.Load(reader);
            return stream.Documents.Select(d => d.RootNode).OfType<YamlMappingNode>();
        });

    private static string Scalar(YamlNode node, params string[] path)
    {
        foreach (var key in path)
        {
            node = ((YamlMappingNode)node)[key];
        }

        return ((YamlScalarNode)node).Value!;
    }

    [Fact]
    public void The_simulated_services_are_the_repositorys_with_their_ports_subsets_and_replicas()
    {
        var root = Path.Combine(RepositoryRoot(), "apps", "ecommerce");
        var documents = Documents(Path.Combine(root, "base", "workloads"))
            .Concat(Directory.EnumerateDirectories(Path.Combine(root, "components")).SelectMany(Documents))
            .ToList();
        var ports = documents.Where(d => Scalar(d, "kind") == "Service")
            .ToDictionary(d => Scalar(d, "metadata", "name"), d => int.Parse(Scalar(((YamlSequenceNode)d["spec"]["ports"])[0], "port"), System.Globalization.CultureInfo.InvariantCulture));
        // Pods by (app, version label of the pod template).
        var replicas = documents.Where(d => Scalar(d, "kind") == "Deployment")
            .ToDictionary(
                d => (Scalar(d, "spec", "template", "metadata", "labels", "app"), Scalar(d, "spec", "template", "metadata", "labels", "version")),
                d => int.Parse(Scalar(d, "spec", "replicas"), System.Globalization.CultureInfo.InvariantCulture));

        var mesh = TutorialMesh.Services();

        Assert.Equal(ports.Keys.Where(k => !k.StartsWith("mongodb", StringComparison.Ordinal)).Order(StringComparer.Ordinal), mesh.Select(s => s.Name).Order(StringComparer.Ordinal));
        Assert.All(mesh, s =>
        {
            Assert.Equal(ports[s.Name], s.Port);
            Assert.Equal(TutorialMesh.Namespace, s.Namespace);
            var deployed = replicas.Where(r => r.Key.Item1 == s.Name).ToDictionary(r => r.Key.Item2, r => r.Value);
            Assert.Equal(deployed.Keys.Order(StringComparer.Ordinal), s.Subsets.Keys.Order(StringComparer.Ordinal));
            Assert.All(s.Subsets, kv => Assert.Equal(deployed[kv.Key], kv.Value.Pods));
        });
    }
}
