using System.CommandLine;

namespace PromotionBot.Cli;

/// <summary>The whole program behind one entry point, so tests run exactly what users run.</summary>
public static class BotCli
{
    public const int Ok = 0;
    public const int CanaryErrors = 1;
    public const int UsageError = 2;

    public static async Task<int> InvokeAsync(string[] args, TextWriter stdout, TextWriter stderr, CancellationToken ct = default)
    {
        // run takes standard .NET configuration arguments (--GitHub:Owner=…), which System.CommandLine would reject.
        if (args is ["run", ..])
        {
            return await PromotionBot.PullRequests.RunCommand.ExecuteAsync(args, stdout, stderr, ct);
        }

        var root = new RootCommand("Promotion bot: judges Istio canaries on Prometheus and proposes weight changes as pull requests")
        {
            AnalyzeCommand.Create(stdout, stderr),
        };

        var parse = root.Parse(args);
        if (parse.Errors.Count > 0)
        {
            foreach (var error in parse.Errors)
            {
                await stderr.WriteLineAsync($"error: {error.Message}");
            }

            await stderr.WriteLineAsync("Run with --help for usage.");
            return UsageError;
        }

        var config = new InvocationConfiguration { Output = stdout, Error = stderr };
        return await parse.InvokeAsync(config, ct);
    }
}
