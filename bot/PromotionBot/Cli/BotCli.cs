using System.CommandLine;
using System.CommandLine.Help;
using System.CommandLine.Invocation;
using Microsoft.AspNetCore.Builder;

namespace PromotionBot.Cli;

/// <summary>The whole program behind one entry point, so tests run exactly what users run.</summary>
public static class BotCli
{
    public const int Ok = 0;
    public const int CanaryErrors = 1;
    public const int UsageError = 2;

    public static Task<int> InvokeAsync(string[] args, TextWriter stdout, TextWriter stderr, CancellationToken ct = default) =>
        InvokeAsync(args, stdout, stderr, configureHost: null, ct);

    /// <param name="configureHost">Test seam: runs on the host builder of <c>run</c> after the bot's own registrations
    /// (a fake clock, faster retries, a log capture); everything else is the real thing.</param>
    internal static async Task<int> InvokeAsync(string[] args, TextWriter stdout, TextWriter stderr, Action<WebApplicationBuilder>? configureHost, CancellationToken ct)
    {
        var root = new RootCommand("Promotion bot: judges Istio canaries on Prometheus and proposes weight changes as pull requests")
        {
            AnalyzeCommand.Create(stdout, stderr, TimeProvider.System),
            RunCommand.Create(stdout, stderr, configureHost),
        };

        foreach (var help in root.Options.OfType<HelpOption>())
        {
            if (help.Action is HelpAction generated)
            {
                help.Action = new HelpWithConfiguration(generated, stdout);
            }
        }

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

        // Our commands report their own errors; cancellation (Ctrl+C in Program, a test's crash) propagates to the caller.
        var config = new InvocationConfiguration { Output = stdout, Error = stderr, EnableDefaultExceptionHandler = false, ProcessTerminationTimeout = null };
        return await parse.InvokeAsync(config, ct);
    }

    /// <summary><c>run --help</c> also lists the configuration keys, which are not options of the command.</summary>
    private sealed class HelpWithConfiguration(HelpAction generated, TextWriter stdout) : SynchronousCommandLineAction
    {
        public override int Invoke(ParseResult parseResult)
        {
            var exit = generated.Invoke(parseResult);
            if (parseResult.CommandResult.Command.Name == "run")
            {
                stdout.WriteLine(RunCommand.ConfigurationHelp);
            }

            return exit;
        }
    }
}
