using Repository.Tests.Loading;
using Repository.Tests.Invariants;

namespace Repository.Tests;

public sealed class PinnedImagesTests
{
    [Fact]
    public async Task Every_container_image_is_pinned()
    {
        var snapshot = await Real.SnapshotAsync();

        Assert.Contains(snapshot.DeployedObjects, o => o.Kind == "Deployment");
        foreach (var unit in snapshot.Units)
        {
            Expect.None(PinnedImages.Check(unit.Objects));
        }
    }

    [Fact]
    public void Untagged_and_latest_images_are_reported_per_container()
    {
        var violations = PinnedImages.Check(Broken.Objects("images.yaml")).ToList();
        var file = Broken.File("images.yaml");

        Expect.One(violations, file, "Deployment ecommerce/ecommerce-ui", "initContainers 'wait' image 'busybox:latest' uses the mutable tag 'latest'", line: 16);
        Expect.One(violations, file, "Deployment ecommerce/ecommerce-ui", "containers 'ui' image 'rslim087/ecommerce-ui' has no tag", line: 19);
        Expect.One(violations, file, "CronJob ecommerce/report", "image 'registry.example.com:5000/team/report' has no tag", line: 39);
        Assert.Equal(3, violations.Count);
    }

    [Fact]
    public async Task Floating_tags_in_the_repository_are_commented_and_pulled_if_not_present()
    {
        var snapshot = await Real.SnapshotAsync();

        Expect.None(FloatingTags.Check(snapshot.CommittedObjects, snapshot.Root));
    }

    [Fact]
    public void Floating_tag_without_a_comment_or_without_if_not_present_is_reported()
    {
        var violations = FloatingTags.Check(Broken.Objects("floating-tags.yaml"), RepoRoot.Path).ToList();
        var file = Broken.File("floating-tags.yaml");

        Expect.One(violations, file, "Deployment ecommerce/shop", "container 'silent' uses the floating tag 'example/ui:latest' with no comment", line: 17);
        Expect.One(violations, file, "Deployment ecommerce/shop", "container 'always' uses the floating tag 'mongo:6.0' without imagePullPolicy: IfNotPresent", line: 21);
        Assert.Equal(2, violations.Count);
        // A commented latest with IfNotPresent is accepted by the pinning check too.
        Assert.DoesNotContain(PinnedImages.Check(Broken.Objects("floating-tags.yaml")), v => v.Message.Contains("other-ui", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("example/ui:latest", true)]
    [InlineData("example/ui", true)]
    [InlineData("mongo:6.0", true)]
    [InlineData("mongo:6", true)]
    [InlineData("mongo:6.0.20", false)]
    [InlineData("localhost:5000/bot:0.1.0", false)]
    [InlineData("nginx@sha256:0d17b565c37bcbd895e9d92315a05c1c3c9a29f762b011a10c54a66cd53c9b31", false)]
    public void Floating_means_latest_untagged_or_only_major_minor(string image, bool floating) =>
        Assert.Equal(floating, FloatingTags.IsFloating(image));

    [Theory]
    [InlineData("rslim087/product-catalog:1.0.0", true)]
    [InlineData("localhost:5000/bot:0.1.0", true)]
    [InlineData("nginx@sha256:0d17b565c37bcbd895e9d92315a05c1c3c9a29f762b011a10c54a66cd53c9b31", true)]
    [InlineData("localhost:5000/bot", false)]
    [InlineData("nginx:latest", false)]
    [InlineData("nginx:", false)]
    public void Image_reference_is_pinned_only_with_a_version_tag_or_digest(string image, bool pinned) =>
        Assert.Equal(pinned, PinnedImages.Problem(image) is null);
}
