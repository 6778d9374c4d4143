using Repository.Tests.Model;
using YamlDotNet.RepresentationModel;

namespace Repository.Tests.Invariants;

/// <summary>
/// Argo CD's health assessment (gitops-engine pkg/health, Argo CD v3.5) applied to what the layers render, on a kind
/// cluster: no metrics-server, no cloud load balancer, no ingress controller, and one StorageClass ("standard", the
/// default). Anything here would keep its Application Degraded or Progressing forever, and a Degraded layer fails the
/// root app's wave-ordered sync, so the layers after it are never created.
/// </summary>
public static class KindHealth
{
    /// <summary>kind's only StorageClass (rancher local-path), marked default.</summary>
    public const string DefaultStorageClass = "standard";

    public static IEnumerable<Violation> Check(IReadOnlyList<K8sObject> objects)
    {
        var storageClasses = objects.Where(o => o.Is("storage.k8s.io", "StorageClass")).Select(o => o.Name)
            .Append(DefaultStorageClass).ToHashSet(StringComparer.Ordinal);
        var secrets = objects.Where(o => o.Kind == "Secret" && o.ApiVersion == "v1").Select(o => (o.Namespace, o.Name)).ToHashSet();

        foreach (var o in objects)
        {
            if (o.Kind == "HorizontalPodAutoscaler" && o.Group == "autoscaling")
            {
                yield return o.Violation(
                    "an HPA on kind (no metrics-server) reports ScalingActive=False/FailedGetResourceMetric, which Argo CD counts as Degraded: " +
                    "turn autoscaling off in the chart values or delete the HPA in the cluster's overlay");
            }
            else if (o.Kind == "Service" && o.ApiVersion == "v1" && o.Body.Str("spec", "type") == "LoadBalancer")
            {
                yield return o.Violation(o.Body.Get("spec", "type")!,
                    "type LoadBalancer stays Progressing in Argo CD until it gets an ingress address, and kind has no load balancer: " +
                    "use type NodePort (with the nodePort mapped in the kind cluster config)");
            }
            else if (o.Kind == "Ingress" && o.Group == "networking.k8s.io")
            {
                yield return o.Violation("an Ingress stays Progressing in Argo CD until a controller publishes its address, and kind runs none: route through the Istio gateway");
            }
            else if (o.Kind == "PersistentVolumeClaim" && o.ApiVersion == "v1")
            {
                if (ClaimProblem(o.Body.Map("spec"), storageClasses) is { } problem)
                {
                    yield return o.Violation(problem);
                }
            }
        }

        foreach (var pod in PodTemplate.In(objects))
        {
            foreach (var template in pod.Owner.Body.Seq("spec", "volumeClaimTemplates").OfType<YamlMappingNode>())
            {
                if (ClaimProblem(template.Map("spec"), storageClasses) is { } problem)
                {
                    yield return pod.Owner.Violation(template, $"volumeClaimTemplate '{template.Str("metadata", "name")}': {problem}");
                }
            }
            foreach (var (node, secret, where) in RequiredSecrets(pod.PodSpec))
            {
                if (!secrets.Contains((pod.Owner.Namespace, secret)))
                {
                    yield return pod.Owner.Violation(node,
                        $"{where} needs Secret {pod.Owner.Namespace}/{secret}, which no layer creates and which is not optional: " +
                        "its pods never start (CreateContainerConfigError or ContainerCreating), so the workload ends Degraded. Create it in a layer or mark the reference optional: true");
                }
            }
        }
    }

    /// <summary>Why a claim would stay Pending on kind, or null when kind's default (or a rendered) StorageClass provisions it.</summary>
    private static string? ClaimProblem(YamlMappingNode? spec, IReadOnlySet<string> storageClasses)
    {
        if (spec?.Get("storageClassName") is not YamlScalarNode { Value: { } storageClass })
        {
            return null; // no class: kind's default StorageClass provisions it
        }
        if (storageClass.Length == 0)
        {
            return spec.Str("volumeName") is null
                ? "storageClassName \"\" disables dynamic provisioning and no volumeName binds it: the claim stays Pending and so do its pods"
                : null;
        }
        return storageClasses.Contains(storageClass)
            ? null
            : $"storageClassName '{storageClass}' does not exist on kind (only '{DefaultStorageClass}') and no layer creates it: the claim stays Pending and so do its pods";
    }

    /// <summary>Non-optional Secret references of a pod spec: env secretKeyRef, envFrom secretRef, secret and projected volumes.</summary>
    private static IEnumerable<(YamlNode Node, string Secret, string Where)> RequiredSecrets(YamlMappingNode? podSpec)
    {
        foreach (var list in new[] { "initContainers", "containers", "ephemeralContainers" })
        {
            foreach (var container in podSpec.Seq(list))
            {
                var name = container.Str("name") ?? "?";
                foreach (var env in container.Seq("env"))
                {
                    if (env.Map("valueFrom", "secretKeyRef") is { } reference && Required(reference) && reference.Str("name") is { } secret)
                    {
                        yield return (env, secret, $"{list} '{name}' env {env.Str("name")}");
                    }
                }
                foreach (var envFrom in container.Seq("envFrom"))
                {
                    if (envFrom.Map("secretRef") is { } reference && Required(reference) && reference.Str("name") is { } secret)
                    {
                        yield return (envFrom, secret, $"{list} '{name}' envFrom");
                    }
                }
            }
        }
        foreach (var volume in podSpec.Seq("volumes"))
        {
            if (volume.Map("secret") is { } source && Required(source) && source.Str("secretName") is { } secret)
            {
                yield return (volume, secret, $"volume '{volume.Str("name")}'");
            }
            foreach (var projected in volume.Seq("projected", "sources"))
            {
                if (projected.Map("secret") is { } part && Required(part) && part.Str("name") is { } projectedSecret)
                {
                    yield return (volume, projectedSecret, $"projected volume '{volume.Str("name")}'");
                }
            }
        }
    }

    private static bool Required(YamlMappingNode reference) => reference.Str("optional") != "true";
}
