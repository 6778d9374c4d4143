using System.Threading.Channels;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using PromotionBot.Worker;

namespace PromotionBot.Tests.Worker;

/// <summary>The worker as AddPromotionWorker composes it, on a fake clock, with a scripted cycle.</summary>
internal sealed class WorkerHarness : IAsyncDisposable
{
    private readonly ServiceProvider services;
    private readonly Channel<DateTimeOffset> sleeps = Channel.CreateUnbounded<DateTimeOffset>();

    public WorkerHarness(DateTimeOffset start, string? schedule = null, string? timeZone = null, ILeadership? leadership = null)
    {
        Time = new FakeTimeProvider(start);
        Runner = new ScriptedRunner(Time);
        var config = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Worker:Schedule"] = schedule,
            ["Worker:TimeZone"] = timeZone,
        }.Where(kv => kv.Value is not null)).Build();
        var collection = new ServiceCollection()
            .AddLogging(l => l.SetMinimumLevel(LogLevel.Debug).AddProvider(Logs))
            .AddSingleton<TimeProvider>(Time)
            .AddSingleton<ICycleRunner>(Runner);
        if (leadership is not null)
        {
            collection.AddSingleton(leadership);
        }

        services = collection.AddPromotionWorker(config).BuildServiceProvider();
        Worker = services.GetRequiredService<PromotionWorker>();
        Worker.Sleeping = due => sleeps.Writer.TryWrite(due);
    }

    public FakeTimeProvider Time { get; }

    public ScriptedRunner Runner { get; }

    public CapturedLogs Logs { get; } = new();

    public PromotionWorker Worker { get; }

    public T Get<T>() where T : notnull => services.GetRequiredService<T>();

    public Task StartAsync() => Worker.StartAsync(CancellationToken.None);

    /// <summary>The due time the worker went to sleep for next.</summary>
    public async Task<DateTimeOffset> NextSleepAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        return await sleeps.Reader.ReadAsync(timeout.Token);
    }

    /// <summary>Waits for the worker to go to sleep and moves the clock to the due time it sleeps for.</summary>
    public async Task<DateTimeOffset> SleepUntilDueAsync()
    {
        var due = await NextSleepAsync();
        Time.Advance(due - Time.GetUtcNow());
        return due;
    }

    public async ValueTask DisposeAsync()
    {
        await Worker.StopAsync(CancellationToken.None);
        await services.DisposeAsync();
    }
}
