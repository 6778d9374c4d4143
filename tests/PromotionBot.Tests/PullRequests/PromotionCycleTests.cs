using System.Globalization;
using PromotionBot.GitHub;
using PromotionBot.Tests.Cli;
using PromotionBot.Tests.GitHub;
using Xunit;
using static PromotionBot.Tests.PullRequests.PromotionPrometheusFixture;

namespace PromotionBot.Tests.PullRequests;

/// <summary>
/// `run --once` end to end: real Prometheus with backfilled Istio telemetry, a real bare git remote, and the local
/// GitHub API server reached by Octokit over HTTP. Each test builds its own repository and GitHub.
/// </summary>
[Collection(PromotionPrometheusCollection.Name)]
public sealed class PromotionCycleTests(PromotionPrometheusFixture prometheus)
{
    private async Task<(int Exit, string Out, string Err)> Cycle(GitOpsSandbox s, DateTimeOffset? at = null, bool dryRun = false, RetryOptions? retry = null)
    {
        var args = new List<string> { "run", "--once", "--at", (at ?? prometheus.At).ToString("O", CultureInfo.InvariantCulture) };
        if (dryRun)
        {
            args.Add("--dry-run");
        }

        args.AddRange([
            $"--GitHub:ApiUrl={s.GitHub.ApiUrl}", $"--GitHub:Token={GitOpsSandbox.Token}",
            $"--GitHub:Owner={GitOpsSandbox.Owner}", $"--GitHub:Repository={GitOpsSandbox.Repo}",
            $"--Git:RemoteUrl={s.Remote}", $"--Git:CacheDirectory={s.Cache}",
            $"--Prometheus:Url={prometheus.BaseUrl}", "--Links:Grafana=https://grafana.example/",
        ]);
        return await CliRun.InvokeAsync([.. args], retry);
    }

    private static System.Text.Json.Nodes.JsonObject OnlyOpenPr(GitOpsSandbox s) =>
        Assert.Single(s.GitHub.PullRequests, p => (string)p["state"]! == "open");

    [Fact]
    public async Task Healthy_canary_gets_one_advance_pr_with_a_weights_only_diff_labels_and_success_status()
    {
        await using var s = await GitOpsSandbox.CreateAsync((Healthy, 80, 20));

        var (exit, output, errors) = await Cycle(s);

        Assert.True(exit == 0, output + errors);
        var pr = OnlyOpenPr(s);
        Assert.Equal("product-catalog: shift v2 20% → 50%", (string)pr["title"]!);
        Assert.Equal(GitOpsSandbox.Branch(Healthy), (string)pr["head"]!["ref"]!);
        Assert.Contains("<!-- promotion-bot: canary=pr-healthy/product-catalog decision=advance weights=v1:50,v2:50 base=", (string)pr["body"]!, StringComparison.Ordinal);
        Assert.Contains("```mermaid", (string)pr["body"]!, StringComparison.Ordinal);
        Assert.Equal(["promotion", "canary:product-catalog"], pr["labels"]!.AsArray().Select(l => (string)l!["name"]!));

        var (path, lines) = Assert.Single(s.DiffFromMain(GitOpsSandbox.Branch(Healthy)));
        Assert.Equal(GitOpsSandbox.VsPath(Healthy), path);
        Assert.Equal(["-      weight: 80 # stable", "+      weight: 50 # stable", "-      weight: 20", "+      weight: 50"], lines);

        var status = s.GitHub.Status((string)pr["head"]!["sha"]!, GitHubPullRequests.StatusContext)!;
        Assert.Equal("success", (string)status["state"]!);
        Assert.StartsWith("Advance to v1:50/v2:50: v2 5xx", (string)status["description"]!, StringComparison.Ordinal);
        Assert.Matches(@"product-catalog\s+advance\s+opened #1\s+v2 healthy", output);
    }

    [Fact]
    public async Task Second_cycle_with_the_same_data_changes_nothing()
    {
        await using var s = await GitOpsSandbox.CreateAsync((Healthy, 80, 20));
        await Cycle(s);
        var head = s.Head(GitOpsSandbox.Branch(Healthy));
        s.GitHub.ClearRequests();

        var (exit, output, _) = await Cycle(s);

        Assert.Equal(0, exit);
        Assert.DoesNotContain(s.GitHub.Requests, r => r.IsWrite);
        Assert.Equal(head, s.Head(GitOpsSandbox.Branch(Healthy)));
        Assert.Contains("nothing (#1 up to date)", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Dry_run_prints_diff_and_body_and_writes_nothing()
    {
        await using var s = await GitOpsSandbox.CreateAsync((Healthy, 80, 20));

        var (exit, output, _) = await Cycle(s, dryRun: true);

        Assert.Equal(0, exit);
        Assert.Contains("would open: \"product-catalog: shift v2 20% → 50%\"", output, StringComparison.Ordinal);
        Assert.Contains("-      weight: 20\n+      weight: 50", output.ReplaceLineEndings("\n"), StringComparison.Ordinal);
        Assert.Contains("<!-- promotion-bot: canary=pr-healthy/product-catalog", output, StringComparison.Ordinal);
        Assert.Contains("(dry run: nothing changed)", output, StringComparison.Ordinal);
        Assert.DoesNotContain(s.GitHub.Requests, r => r.IsWrite);
        Assert.Null(s.Head(GitOpsSandbox.Branch(Healthy)));
    }

    [Fact]
    public async Task Dry_run_without_github_settings_previews_against_the_repository_alone()
    {
        await using var s = await GitOpsSandbox.CreateAsync((Healthy, 80, 20), (TurnsBad, 50, 50));

        var (exit, output, stderr) = await CliRun.InvokeAsync(
            ["run", "--once", "--dry-run", "--at", prometheus.At.ToString("O", CultureInfo.InvariantCulture),
             $"--Git:RemoteUrl={s.Remote}", $"--Git:CacheDirectory={s.Cache}", $"--Prometheus:Url={prometheus.BaseUrl}"]);

        Assert.True(exit == 0, output + stderr);
        Assert.Contains("GitHub is not configured", stderr, StringComparison.Ordinal);
        Assert.Contains("would open: \"product-catalog: shift v2 20% → 50%\"", output, StringComparison.Ordinal);
        Assert.Contains("would open: \"product-catalog: revert to v1 (circuit breaking on v2)\"", output, StringComparison.Ordinal);
        Assert.Empty(s.GitHub.Requests);
        Assert.Null(s.Head(GitOpsSandbox.Branch(Healthy)));
    }

    [Fact]
    public async Task Next_step_changing_updates_the_same_pr()
    {
        await using var s = await GitOpsSandbox.CreateAsync((Healthy, 80, 20));
        await Cycle(s);
        // A person applies 50/50 by hand on main; with v2 still healthy, the pending PR must now propose 100%.
        s.Commit("main", "Shift product-catalog to 50/50 by hand", new Dictionary<string, string> { [GitOpsSandbox.VsPath(Healthy)] = GitOpsSandbox.VirtualService(Healthy, 50, 50) });

        var (exit, output, errors) = await Cycle(s);

        Assert.True(exit == 0, output + errors);
        var pr = OnlyOpenPr(s);
        Assert.Equal(1, (int)pr["number"]!);
        Assert.Equal("product-catalog: promote v2 50% → 100%", (string)pr["title"]!);
        Assert.Contains("decision=promote weights=v1:0,v2:100", (string)pr["body"]!, StringComparison.Ordinal);
        Assert.Contains("+      weight: 100", s.DiffFromMain(GitOpsSandbox.Branch(Healthy)).Single().Lines);
        Assert.Contains("updated #1", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Pr_applied_by_hand_is_closed_with_a_comment_and_its_branch_deleted()
    {
        await using var s = await GitOpsSandbox.CreateAsync((Healthy, 50, 50));
        await Cycle(s);
        Assert.Equal("product-catalog: promote v2 50% → 100%", (string)OnlyOpenPr(s)["title"]!);
        s.Commit("main", "Promote by hand", new Dictionary<string, string> { [GitOpsSandbox.VsPath(Healthy)] = GitOpsSandbox.VirtualService(Healthy, 0, 100) });

        var (exit, output, errors) = await Cycle(s);

        Assert.True(exit == 0, output + errors);
        Assert.DoesNotContain(s.GitHub.PullRequests, p => (string)p["state"]! == "open");
        Assert.Contains("already routes v1:0,v2:100", Assert.Single(s.GitHub.CommentsOn(1)), StringComparison.Ordinal);
        Assert.Null(s.Head(GitOpsSandbox.Branch(Healthy)));
        Assert.Matches(@"hold\s+closed #1", output);
    }

    [Fact]
    public async Task Rollback_pr_second_cycle_changes_nothing()
    {
        await using var s = await GitOpsSandbox.CreateAsync((TurnsBad, 80, 20));
        await Cycle(s);
        Assert.Contains("revert to v1", (string)OnlyOpenPr(s)["title"]!, StringComparison.Ordinal);
        s.GitHub.ClearRequests();

        var (exit, _, _) = await Cycle(s);

        Assert.Equal(0, exit);
        Assert.DoesNotContain(s.GitHub.Requests, r => r.IsWrite);
    }

    [Fact]
    public async Task Rollback_supersedes_advance_closing_it_with_a_comment_and_opening_a_rollback()
    {
        await using var s = await GitOpsSandbox.CreateAsync((TurnsBad, 80, 20));
        await Cycle(s, prometheus.BeforeTrouble);
        var advance = OnlyOpenPr(s);
        Assert.Contains("shift v2 20% → 50%", (string)advance["title"]!, StringComparison.Ordinal);
        var advanceHead = (string)advance["head"]!["sha"]!;

        var (exit, output, errors) = await Cycle(s, prometheus.At);

        Assert.True(exit == 0, output + errors);
        var closed = s.GitHub.PullRequests.Single(p => (int)p["number"]! == 1);
        Assert.Equal("closed", (string)closed["state"]!);
        Assert.Contains("superseded by a rollback", Assert.Single(s.GitHub.CommentsOn(1)), StringComparison.Ordinal);
        Assert.Equal("failure", (string)s.GitHub.Status(advanceHead, GitHubPullRequests.StatusContext)!["state"]!);

        var rollback = OnlyOpenPr(s);
        Assert.Equal(2, (int)rollback["number"]!);
        Assert.Equal("product-catalog: revert to v1 (circuit breaking on v2)", (string)rollback["title"]!);
        Assert.Contains("Urgent rollback", (string)rollback["body"]!, StringComparison.Ordinal);
        Assert.Contains("rollback", rollback["labels"]!.AsArray().Select(l => (string)l!["name"]!));
        Assert.Contains("+      weight: 0", s.DiffFromMain(GitOpsSandbox.Branch(TurnsBad)).Single().Lines);
        Assert.Matches(@"rollback\s+status failure on #1, closed #1, opened #2", output);
    }

    [Fact]
    public async Task Crash_between_push_and_pr_creation_leads_to_exactly_one_pr_next_cycle()
    {
        await using var s = await GitOpsSandbox.CreateAsync((Healthy, 80, 20));
        s.GitHub.FailNext(GitHubFault.ServerError, count: 10, match: "POST /repos/acme/gitops/pulls");

        var (firstExit, firstOutput, firstErrors) = await Cycle(s);
        Assert.True(firstExit == 1, firstOutput + firstErrors);
        Assert.Contains("failed", firstOutput, StringComparison.Ordinal);
        var pushed = s.Head(GitOpsSandbox.Branch(Healthy));
        Assert.NotNull(pushed);
        Assert.Empty(s.GitHub.PullRequests);
        s.GitHub.ClearFaults();

        var (exit, output, errors) = await Cycle(s);

        Assert.True(exit == 0, output + errors);
        Assert.Single(s.GitHub.PullRequests);
        Assert.Equal(pushed, s.Head(GitOpsSandbox.Branch(Healthy)));
        Assert.Contains("opened #1", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Lost_create_response_is_adopted_not_duplicated()
    {
        await using var s = await GitOpsSandbox.CreateAsync((Healthy, 80, 20));
        // GitHub creates the PR but the answer is lost: the retry meets 422 "already exists" and must adopt #1.
        s.GitHub.FailNext(GitHubFault.LoseResponse, match: "POST /repos/acme/gitops/pulls");

        var (exit, output, errors) = await Cycle(s);

        Assert.True(exit == 0, output + errors);
        Assert.Contains(s.GitHub.Requests, r => r.Method == "POST" && r.Status == 502);
        Assert.Contains(s.GitHub.Requests, r => r.Method == "POST" && r.Status == 422);
        var pr = OnlyOpenPr(s);
        Assert.Single(s.GitHub.PullRequests);
        Assert.Equal("success", (string)s.GitHub.Status((string)pr["head"]!["sha"]!, GitHubPullRequests.StatusContext)!["state"]!);
        Assert.Equal(2, pr["labels"]!.AsArray().Count);
    }

    [Fact]
    public async Task Pr_closed_by_a_person_is_not_reopened_for_the_same_proposal()
    {
        await using var s = await GitOpsSandbox.CreateAsync((Healthy, 80, 20));
        await Cycle(s);
        s.GitHub.ClosePullRequestDirectly(1);

        var (exit, output, errors) = await Cycle(s);

        Assert.True(exit == 0, output + errors);
        Assert.DoesNotContain(s.GitHub.PullRequests, p => (string)p["state"]! == "open");
        Assert.Contains("closed #1", output, StringComparison.Ordinal);

        // A different proposal (a person moved the canary to 50% by hand) is a new question: the bot asks again.
        s.Commit("main", "50/50 by hand", new Dictionary<string, string> { [GitOpsSandbox.VsPath(Healthy)] = GitOpsSandbox.VirtualService(Healthy, 50, 50) });
        (exit, output, errors) = await Cycle(s);

        Assert.True(exit == 0, output + errors);
        Assert.Equal("product-catalog: promote v2 50% → 100%", (string)OnlyOpenPr(s)["title"]!);
    }

    [Fact]
    public async Task Base_branch_moving_rebases_the_pr_branch()
    {
        await using var s = await GitOpsSandbox.CreateAsync((Healthy, 80, 20));
        await Cycle(s);
        var before = s.Head(GitOpsSandbox.Branch(Healthy));
        var newBase = s.Commit("main", "Unrelated docs change", new Dictionary<string, string> { ["docs/notes.md"] = "notes\n" });

        var (exit, output, errors) = await Cycle(s);

        Assert.True(exit == 0, output + errors);
        var after = s.Head(GitOpsSandbox.Branch(Healthy))!;
        Assert.NotEqual(before, after);
        Assert.Single(s.DiffFromMain(GitOpsSandbox.Branch(Healthy)));
        Assert.Equal("notes\n", s.FileAt(GitOpsSandbox.Branch(Healthy), "docs/notes.md"));
        var pr = OnlyOpenPr(s);
        Assert.Contains($"base={newBase}", (string)pr["body"]!, StringComparison.Ordinal);
        Assert.Equal("success", (string)s.GitHub.Status(after, GitHubPullRequests.StatusContext)!["state"]!);
        Assert.Contains("rebased #1", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Human_commit_on_the_bot_branch_is_kept_but_fails_the_cycle_loudly()
    {
        await using var s = await GitOpsSandbox.CreateAsync((Healthy, 80, 20));
        await Cycle(s);
        var human = s.Commit(GitOpsSandbox.Branch(Healthy), "Tweak comment", new Dictionary<string, string> { ["docs/why.md"] = "because\n" });
        s.Commit("main", "Move base too", new Dictionary<string, string> { ["docs/other.md"] = "x\n" });

        var (exit, output, errors) = await Cycle(s);

        Assert.True(exit == 1, output + errors);
        Assert.Equal(human, s.Head(GitOpsSandbox.Branch(Healthy)));
        Assert.Equal("failure", (string)s.GitHub.Status(human, GitHubPullRequests.StatusContext)!["state"]!);
        Assert.Contains("not the bot's", Assert.Single(s.GitHub.CommentsOn(1)), StringComparison.Ordinal);
        Assert.Contains("pull request #1 blocked: branch promotion/pr-healthy/product-catalog holds commits by someone else", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Person_undoing_a_rollback_on_its_branch_is_reported_once_and_fails_every_cycle()
    {
        await using var s = await GitOpsSandbox.CreateAsync((TurnsBad, 80, 20));
        await Cycle(s);
        Assert.Contains("revert to v1", (string)OnlyOpenPr(s)["title"]!, StringComparison.Ordinal);
        // Someone puts 80/20 back on the rollback branch: the "revert to v1" PR would now change nothing.
        var human = s.Commit(GitOpsSandbox.Branch(TurnsBad), "Keep v2 at 20%",
            new Dictionary<string, string> { [GitOpsSandbox.VsPath(TurnsBad)] = GitOpsSandbox.VirtualService(TurnsBad, 80, 20) });

        var (exit, output, errors) = await Cycle(s);
        var (exitAgain, outputAgain, _) = await Cycle(s);

        Assert.True(exit == 1, output + errors);
        Assert.Equal(1, exitAgain);
        Assert.Equal(human, s.Head(GitOpsSandbox.Branch(TurnsBad)));
        Assert.Equal("failure", (string)s.GitHub.Status(human, GitHubPullRequests.StatusContext)!["state"]!);
        var comment = Assert.Single(s.GitHub.CommentsOn(1));
        Assert.Contains(PromotionBot.PullRequests.PromotionCycle.ForeignCommitsMarker, comment, StringComparison.Ordinal);
        Assert.Contains("rollback #1 blocked", output, StringComparison.Ordinal);
        Assert.Contains("rollback #1 blocked", outputAgain, StringComparison.Ordinal);
        Assert.DoesNotContain("left #1 alone", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Rate_limited_github_is_waited_out_and_the_cycle_succeeds()
    {
        await using var s = await GitOpsSandbox.CreateAsync((Healthy, 80, 20));
        s.GitHub.FailNext(GitHubFault.PrimaryRateLimit, count: 1, seconds: 1);
        s.GitHub.FailNext(GitHubFault.TooManyRequests, count: 1, seconds: 1, match: "POST");

        var (exit, output, errors) = await Cycle(s);

        Assert.True(exit == 0, output + errors);
        Assert.Single(s.GitHub.PullRequests);
        Assert.Equal(2, s.GitHub.Requests.Count(r => r.Status is 403 or 429));
        Assert.Contains("rate limit", errors, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Hold_leaves_no_pr_and_marks_an_open_one_pending()
    {
        await using var s = await GitOpsSandbox.CreateAsync((Trickle, 80, 20));

        var (exit, output, _) = await Cycle(s);
        Assert.Equal(0, exit);
        Assert.Empty(s.GitHub.PullRequests);
        Assert.Matches(@"product-catalog\s+hold\s+nothing\s+hold \(too little canary traffic\)", output);

        // A bot PR left from an earlier, busier period: the evidence no longer suffices.
        s.Commit(GitOpsSandbox.Branch(Trickle), "x", new Dictionary<string, string> { [GitOpsSandbox.VsPath(Trickle)] = GitOpsSandbox.VirtualService(Trickle, 50, 50) },
            "promotion-bot", "promotion-bot@users.noreply.github.com");
        var number = s.GitHub.CreatePullRequestDirectly(GitOpsSandbox.Branch(Trickle), "main", "product-catalog: shift v2 20% → 50%",
            "<!-- promotion-bot: canary=pr-trickle/product-catalog decision=advance weights=v1:50,v2:50 base=abc -->");

        (exit, output, _) = await Cycle(s);

        Assert.Equal(0, exit);
        var status = s.GitHub.Status(s.Head(GitOpsSandbox.Branch(Trickle))!, GitHubPullRequests.StatusContext)!;
        Assert.Equal("pending", (string)status["state"]!);
        Assert.Contains("too little canary traffic", (string)status["description"]!, StringComparison.Ordinal);
        Assert.Contains($"status pending on #{number}", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Github_app_authentication_runs_a_cycle_with_an_installation_token()
    {
        await using var s = await GitOpsSandbox.CreateAsync((Healthy, 80, 20));
        using var key = System.Security.Cryptography.RSA.Create(2048);
        var keyPath = Path.Combine(s.Root, "app.pem");
        await File.WriteAllTextAsync(keyPath, key.ExportPkcs8PrivateKeyPem());
        var publicKey = System.Security.Cryptography.RSA.Create();
        publicKey.ImportSubjectPublicKeyInfo(key.ExportSubjectPublicKeyInfo(), out _);
        s.GitHub.App = (991, 31, publicKey);

        var (exit, stdout, stderr) = await CliRun.InvokeAsync(
            ["run", "--once", "--at", prometheus.At.ToString("O", CultureInfo.InvariantCulture),
             $"--GitHub:ApiUrl={s.GitHub.ApiUrl}", "--GitHub:AppId=991", $"--GitHub:PrivateKeyPath={keyPath}", "--GitHub:InstallationId=31",
             $"--GitHub:Owner={GitOpsSandbox.Owner}", $"--GitHub:Repository={GitOpsSandbox.Repo}",
             $"--Git:RemoteUrl={s.Remote}", $"--Git:CacheDirectory={s.Cache}", $"--Prometheus:Url={prometheus.BaseUrl}"]);

        Assert.True(exit == 0, stdout + stderr);
        Assert.Single(s.GitHub.PullRequests);
        Assert.Equal(1, s.GitHub.InstallationTokensIssued);
        Assert.All(s.GitHub.Requests.Where(r => r.Path.Contains("/repos/", StringComparison.Ordinal)),
            r => Assert.StartsWith("token ghs_", r.Authorization, StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public async Task Token_never_appears_in_output_logs_or_responses_even_when_github_fails()
    {
        await using var s = await GitOpsSandbox.CreateAsync((Healthy, 80, 20));
        s.GitHub.FailNext(GitHubFault.BadGateway, count: 20);

        var (exit, output, errors) = await Cycle(s, retry: CliRun.NoWaitRetry with { MaxAttempts = 2 });

        Assert.NotEqual(0, exit);
        Assert.NotEmpty(errors);
        Assert.DoesNotContain(GitOpsSandbox.Token, output, StringComparison.Ordinal);
        Assert.DoesNotContain(GitOpsSandbox.Token, errors, StringComparison.Ordinal);
        Assert.All(s.GitHub.Requests, r => Assert.DoesNotContain(GitOpsSandbox.Token, r.ResponseBody, StringComparison.Ordinal));
        Assert.All(s.GitHub.Requests, r => Assert.Equal($"token {GitOpsSandbox.Token}", r.Authorization, StringComparer.OrdinalIgnoreCase));
    }
}
