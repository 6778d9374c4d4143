using PromotionBot.Git;
using Xunit;

namespace PromotionBot.Tests.Git;

/// <summary>Listing bot branches on the remote (authorship, head trailers) and deleting one only at the head it was judged at.</summary>
public sealed class BranchListingTests : IDisposable
{
    private readonly GitSandbox sandbox = new();

    public void Dispose() => sandbox.Dispose();

    [Fact]
    public async Task Branches_under_the_prefix_are_listed_with_authorship_and_trailers()
    {
        using var workspace = sandbox.Workspace();
        await workspace.SyncAsync(CancellationToken.None);
        var bot = await workspace.PublishAsync(GitSandbox.Change(80, 20, "promotion/ecommerce/product-catalog"), CancellationToken.None);
        await workspace.PublishAsync(GitSandbox.Change(50, 50, "promotion/ecommerce/touched"), CancellationToken.None);
        var human = sandbox.HumanCommit("promotion/ecommerce/touched", "docs/x.md", "mine\n");
        GitCli.Run(sandbox.Remote, "branch", "promotion/ecommerce/merged", "main");
        sandbox.HumanCommit("feature/other", "docs/y.md", "elsewhere\n");

        var branches = await workspace.ListBranchesAsync("promotion/", CancellationToken.None);

        Assert.Equal(["promotion/ecommerce/merged", "promotion/ecommerce/product-catalog", "promotion/ecommerce/touched"], branches.Select(b => b.Name));
        var mine = branches[1];
        Assert.Equal((bot.HeadSha, BranchAuthorship.BotOnly, ""), (mine.HeadSha, mine.Authorship, mine.Detail));
        Assert.Equal("ecommerce/product-catalog", mine.HeadTrailers["Promotion-Canary"]);
        Assert.Equal("advance", mine.HeadTrailers["Promotion-Decision"]);
        Assert.Equal((human, BranchAuthorship.Foreign), (branches[2].HeadSha, branches[2].Authorship));
        Assert.Contains("human@example.com", branches[2].Detail, StringComparison.Ordinal);
        Assert.Empty(branches[2].HeadTrailers);
        Assert.Equal(BranchAuthorship.InBase, branches[0].Authorship);
    }

    [Fact]
    public async Task A_deleted_branch_disappears_from_the_next_listing()
    {
        using var workspace = sandbox.Workspace();
        await workspace.SyncAsync(CancellationToken.None);
        var bot = await workspace.PublishAsync(GitSandbox.Change(80, 20, "promotion/ecommerce/product-catalog"), CancellationToken.None);
        Assert.Single(await workspace.ListBranchesAsync("promotion/", CancellationToken.None));

        Assert.True(await workspace.DeleteBranchAsync("promotion/ecommerce/product-catalog", bot.HeadSha, CancellationToken.None));

        Assert.Empty(await workspace.ListBranchesAsync("promotion/", CancellationToken.None));
        Assert.Null(GitCli.Head(sandbox.Remote, "promotion/ecommerce/product-catalog"));
    }

    [Fact]
    public async Task A_branch_that_moved_since_it_was_judged_is_not_deleted()
    {
        using var workspace = sandbox.Workspace();
        await workspace.SyncAsync(CancellationToken.None);
        var judged = await workspace.PublishAsync(GitSandbox.Change(80, 20, "promotion/ecommerce/product-catalog"), CancellationToken.None);
        var moved = await workspace.PublishAsync(GitSandbox.Change(50, 50, "promotion/ecommerce/product-catalog"), CancellationToken.None);

        var deleted = await workspace.DeleteBranchAsync("promotion/ecommerce/product-catalog", judged.HeadSha, CancellationToken.None);

        Assert.False(deleted);
        Assert.Equal(moved.HeadSha, GitCli.Head(sandbox.Remote, "promotion/ecommerce/product-catalog"));
    }

    [Theory]
    [InlineData("subject only", 0)]
    [InlineData("subject\n\nbody line\n\nPromotion-Canary: ns/x\nPromotion-Decision: rollback\n", 2)]
    [InlineData("subject\n\nPromotion-Canary: ns/x\nnot a trailer line\n", 0)]
    [InlineData("subject\r\n\r\nPromotion-Canary: ns/x\r\n", 1)]
    public void Trailers_are_the_last_paragraph_of_key_value_lines(string message, int count)
    {
        var trailers = CommitBuilder.Trailers(message);

        Assert.Equal(count, trailers.Count);
        if (count > 0)
        {
            Assert.Equal("ns/x", trailers["Promotion-Canary"]);
        }
    }
}
