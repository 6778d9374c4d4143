using Microsoft.Extensions.Logging;
using PromotionBot.Hosting;

namespace PromotionBot.Worker;

/// <summary>
/// Last line of defence for loggers handed to the cycle's parts: library exception texts could quote a credential.
/// The message is rendered, masked, and passed on as plain text (so no structured field can carry the raw value).
/// </summary>
internal sealed class RedactingLogger<T>(ILogger<T> inner, IReadOnlyList<string?> secrets) : ILogger<T>
{
    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => inner.IsEnabled(logLevel);

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        if (!IsEnabled(logLevel))
        {
            return;
        }

        var text = formatter(state, exception) + (exception is null ? "" : $" ({exception.Message})");
        inner.Log(logLevel, eventId, Redact.Secrets(text, secrets), null, static (s, _) => s);
    }
}
