using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using PromotionBot.Cli;
using PromotionBot.GitHub;

namespace PromotionBot.Tests.Cli;

/// <summary>Runs the program as users do (<see cref="BotCli"/>), capturing stdout and stderr; the host's log lines go to the captured stderr.</summary>
internal static class CliRun
{
    /// <summary>GitHub retries without waiting: the end-to-end tests check what is retried, the GitHub tests check the waits.</summary>
    public static readonly RetryOptions NoWaitRetry = new(4, TimeSpan.Zero, TimeSpan.Zero, TimeSpan.FromSeconds(30));

    public static async Task<(int Exit, string Out, string Err)> InvokeAsync(string[] args, RetryOptions? retry = null, Action<WebApplicationBuilder>? configure = null, CancellationToken ct = default)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var exit = await BotCli.InvokeAsync(args, stdout, stderr, builder =>
        {
            builder.Services.AddSingleton(retry ?? NoWaitRetry);
            builder.Logging.ClearProviders();
            builder.Logging.AddProvider(new WriterLoggerProvider(stderr));
            configure?.Invoke(builder);
        }, ct);
        return (exit, stdout.ToString(), stderr.ToString());
    }

    /// <summary>Log lines as "level: message" into a writer shared with the command's stderr.</summary>
    private sealed class WriterLoggerProvider(TextWriter output) : ILoggerProvider
    {
        public ILogger CreateLogger(string categoryName) => new WriterLogger(output);

        public void Dispose()
        {
        }

        private sealed class WriterLogger(TextWriter output) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Information;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            {
                lock (output)
                {
                    output.WriteLine($"{logLevel}: {formatter(state, exception)}{(exception is null ? "" : $" ({exception.Message})")}");
                }
            }
        }
    }
}
