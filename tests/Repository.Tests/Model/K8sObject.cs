using YamlDotNet.RepresentationModel;

namespace Repository.Tests.Model;

/// <summary>
/// One Kubernetes object (or kustomize/Argo CD document) with its origin. <see cref="Namespace"/> is the effective
/// namespace: metadata.namespace, else the namespace the object will be applied to (Argo CD destination), else "default".
/// </summary>
public sealed record K8sObject(string ApiVersion, string Kind, string Namespace, string Name, YamlMappingNode Body, Origin Origin)
{
    public string Group => ApiVersion.Contains('/') ? ApiVersion[..ApiVersion.IndexOf('/')] : "";

    /// <summary>"Kind namespace/name", the way failure messages name an object.</summary>
    public string Display => $"{Kind} {Namespace}/{Name}";

    public YamlMappingNode? Spec => Body.Map("spec");

    public IReadOnlyDictionary<string, string> Labels => Body.StringMap("metadata", "labels");

    public bool Is(string group, string kind) => Kind == kind && Group == group;

    public Violation Violation(string message) => new(Origin, Display, message);

    /// <summary>A violation located at a node inside this object (line known only for raw repository files).</summary>
    public Violation Violation(YamlNode at, string message) =>
        new(Origin.Line is null ? Origin : Origin with { Line = at.Line() }, Display, message);
}
