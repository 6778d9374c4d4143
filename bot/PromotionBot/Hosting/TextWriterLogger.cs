using Microsoft.Extensions.Logging;

namespace PromotionBot.Hosting;

/// <summary>
/// Log lines to a TextWriter (stderr for the CLI), with every known secret masked as a last line of defence:
/// nothing the bot logs should hold one, but an exception message from a library might.
/// </summary>
public sealed class TextWriterLogger<T>(TextWriter output, LogLevel minimum, IReadOnlyList<string?> secrets) : ILogger<T>
{
    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => logLevel >= minimum;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        if (!IsEnabled(logLevel))
        {
            return;
        }

        var level = logLevel switch
        {
            LogLevel.Warning => "warn",
            LogLevel.Error or LogLevel.Critical => "error",
            _ => "info",
        };
        var text = $"{level}: {formatter(state, exception)}{(exception is null ? "" : $" ({exception.Message})")}";
        lock (output)
        {
            output.WriteLine(Redact.Secrets(text, secrets));
        }
    }
}
