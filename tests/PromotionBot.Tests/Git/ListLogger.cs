using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace PromotionBot.Tests.Git;

/// <summary>Keeps every formatted log line (including exception text) so tests can inspect what would be logged.</summary>
internal sealed class ListLogger<T> : ILogger<T>
{
    public ConcurrentQueue<string> Lines { get; } = new();

    public string All => string.Join('\n', Lines);

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        => Lines.Enqueue($"{logLevel}: {formatter(state, exception)} {exception}");
}
