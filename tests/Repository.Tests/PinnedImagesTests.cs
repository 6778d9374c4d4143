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
