using Repository.Tests.Invariants;

namespace Repository.Tests;

public sealed class SyncRetriesTests
{
    [Fact]
    public async Task Every_application_including_the_root_retries_with_backoff()
    {
        var snapshot = await Real.SnapshotAsync();

        var applications = snapshot.DeployedApplications();
        Assert.Contains(applications, a => a.Name == "root");
        Assert.True(applications.Count >= 7, string.Join(", ", applications.Select(a => a.Name)));
        Expect.None(SyncRetries.Check(snapshot.DeployedObjects));
    }

    [Fact]
    public void Missing_retry_backoff_or_zero_limit_is_reported()
    {
        var violations = SyncRetries.Check(Broken.Objects("sync-retries.yaml")).ToList();
        var file = Broken.File("sync-retries.yaml");

        Expect.One(violations, file, "Application argocd/no-retry", "has no retry", line: 10);
        Expect.One(violations, file, "Application argocd/no-backoff", "needs an explicit backoff", line: 20);
        Expect.One(violations, file, "ApplicationSet argocd/zero", "limit is 0", line: 34);
        Assert.Equal(3, violations.Count);
    }
}
