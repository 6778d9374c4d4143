using Repository.Tests.Loading;

namespace Repository.Tests;

/// <summary>The repository's YAML is readable, and the scan covers exactly the files git would commit.</summary>
public sealed class CommittedYamlTests
{
    [Fact]
    public async Task Every_committed_yaml_file_parses()
    {
        var snapshot = await Real.SnapshotAsync();

        Assert.True(snapshot.ParseErrors.Count == 0, string.Join("\n", snapshot.ParseErrors));
        Assert.NotEmpty(snapshot.CommittedObjects);
    }

    [Theory]
    [InlineData("kind: Service\nmetadata:\n  name: 'web\n", @"^apps/web/service\.yaml:\d+: invalid YAML")] // unterminated quote: line known
    [InlineData("kind: Service\nmetadata:\n  name: [web\n  labels: {}\n", @"^apps/web/service\.yaml: invalid YAML")]    // YamlDotNet gives no position here
    public void Invalid_yaml_is_reported_with_its_file(string text, string pattern)
    {
        var error = Assert.Throws<InvalidDataException>(() => YamlDocuments.Objects(text, "apps/web/service.yaml"));

        Assert.Matches(pattern, error.Message);
    }

    [Fact]
    public void Objects_remember_the_line_their_document_starts_on()
    {
        var objects = YamlDocuments.Objects("# comment\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: b, namespace: x}\n", "cm.yaml");

        Assert.Equal(["cm.yaml:2 ConfigMap default/a", "cm.yaml:6 ConfigMap x/b"], objects.Select(o => $"{o.Origin} {o.Display}"));
    }

    [Fact]
    public void Repository_scan_skips_only_this_projects_broken_fixtures_and_ignored_files()
    {
        var files = RepoFiles.Yaml(RepoRoot.Path).Select(f => RepoRoot.Relative(f)).ToList();

        Assert.DoesNotContain(files, f => f.StartsWith(RepoFiles.FixturesPath, StringComparison.Ordinal));
        Assert.DoesNotContain(files, f => f.Contains("/bin/", StringComparison.Ordinal) || f.Contains("/obj/", StringComparison.Ordinal));
        Assert.Contains(files, f => f.StartsWith("apps/", StringComparison.Ordinal));
    }
}
