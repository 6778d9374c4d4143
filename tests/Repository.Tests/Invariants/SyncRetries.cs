using Repository.Tests.Model;
using YamlDotNet.RepresentationModel;

namespace Repository.Tests.Invariants;

/// <summary>
/// Every Application (and ApplicationSet template) retries a failed sync with backoff. Automated sync does not
/// retry the same revision by itself: one failed operation (a CRD not served yet, a layer Degraded for a minute
/// during bring-up) would otherwise wait for a person or the next commit.
/// </summary>
public static class SyncRetries
{
    public static IEnumerable<Violation> Check(IEnumerable<K8sObject> objects)
    {
        foreach (var o in objects)
        {
            YamlNode? spec = o switch
            {
                { Group: "argoproj.io", Kind: "Application" } => o.Spec,
                { Group: "argoproj.io", Kind: "ApplicationSet" } => o.Body.Map("spec", "template", "spec"),
                _ => null,
            };
            if (spec is null)
            {
                continue;
            }
            var retry = spec.Map("syncPolicy", "retry");
            var at = (YamlNode?)spec.Get("syncPolicy") ?? o.Body;
            if (retry is null)
            {
                yield return o.Violation(at, "syncPolicy has no retry: a failed sync is not retried until someone syncs by hand or a new commit lands");
                continue;
            }
            if (retry.Str("limit") is "0")
            {
                yield return o.Violation(retry, "syncPolicy.retry.limit is 0: no retry at all");
            }
            var backoff = retry.Map("backoff");
            if (backoff?.Str("duration") is null || backoff.Str("factor") is null || backoff.Str("maxDuration") is null)
            {
                yield return o.Violation(retry, "syncPolicy.retry needs an explicit backoff (duration, factor, maxDuration) so retries space out instead of hammering a cluster that is still coming up");
            }
        }
    }
}
