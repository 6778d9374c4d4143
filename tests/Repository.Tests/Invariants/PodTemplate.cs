using Repository.Tests.Model;
using YamlDotNet.RepresentationModel;

namespace Repository.Tests.Invariants;

/// <summary>A pod template inside a workload (or a bare Pod): the labels its pods get and their pod spec.</summary>
public sealed record PodTemplate(K8sObject Owner, IReadOnlyDictionary<string, string> Labels, YamlMappingNode? PodSpec)
{
    public static IEnumerable<PodTemplate> In(IEnumerable<K8sObject> objects)
    {
        foreach (var o in objects)
        {
            YamlNode? template = o.Kind switch
            {
                "Deployment" or "StatefulSet" or "DaemonSet" or "ReplicaSet" or "Job" => o.Body.Get("spec", "template"),
                "CronJob" => o.Body.Get("spec", "jobTemplate", "spec", "template"),
                "Pod" => o.Body,
                _ => null,
            };
            if (template is not null)
            {
                yield return new PodTemplate(o, template.StringMap("metadata", "labels"), template.Map("spec"));
            }
        }
    }

    /// <summary>Long-running workloads a Service or subset can select (Jobs finish, so they never back a Service).</summary>
    public static IEnumerable<PodTemplate> Serving(IEnumerable<K8sObject> objects) =>
        In(objects).Where(p => p.Owner.Kind is "Deployment" or "StatefulSet" or "DaemonSet" or "Pod");

    public bool Selects(IReadOnlyDictionary<string, string> selector) =>
        selector.All(kv => Labels.TryGetValue(kv.Key, out var v) && v == kv.Value);
}
