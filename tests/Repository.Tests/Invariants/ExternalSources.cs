using Repository.Tests.Model;

namespace Repository.Tests.Invariants;

/// <summary>
/// Applications that sync from somewhere else (a Helm repository or another git repository) pin what they take:
/// an exact chart version, or a release tag/commit. This repository's own sources may follow a branch: that branch
/// is what pull requests promote.
/// </summary>
public static class ExternalSources
{
    public static IEnumerable<Violation> Check(IReadOnlyList<K8sObject> objects, string root)
    {
        var apps = Loading.RepositorySnapshot.Applications(objects, root);
        var self = ApplicationPaths.ThisRepositoryUrls(apps);
        foreach (var app in apps)
        {
            foreach (var source in app.Sources.Where(s => !ApplicationPaths.IsThisRepository(s.RepoUrl, self)))
            {
                var revision = source.TargetRevision;
                if (source.Chart is { } chart)
                {
                    if (revision is null || !HelmCharts.IsExactVersion(revision))
                    {
                        yield return app.Violation(source.Node, $"chart {chart} from {source.RepoUrl} is not pinned to an exact version (targetRevision '{revision ?? "unset"}')");
                    }
                }
                else if (revision is null || !RemoteBases.IsPinnedRef(revision))
                {
                    yield return app.Violation(source.Node, $"external source {source.RepoUrl} follows '{revision ?? "HEAD"}', not a release tag or commit");
                }
            }
        }
    }
}
