using System.Reflection;
using Demo.Orchestration;
using Microsoft.Extensions.Logging;
using PromotionBot.Worker;
using Xunit;

namespace PromotionBot.Tests.Demo;

/// <summary>The demo reads the worker's JSON log lines by message template: the templates must be the worker's own.</summary>
public sealed class WorkerEventTests
{
    [Fact]
    public void The_templates_the_demo_reads_are_the_worker_log_templates()
    {
        Assert.Equal(WorkerEvent.DecisionTemplate, Template(nameof(WorkerLog.Decision)));
        Assert.StartsWith(WorkerEvent.FinishedTemplatePrefix, Template(nameof(WorkerLog.Finished)), StringComparison.Ordinal);
    }

    [Fact]
    public void A_json_console_decision_line_becomes_a_canary_decision()
    {
        const string line = """
            {"EventId":2,"LogLevel":"Information","Category":"PromotionBot.Worker.PromotionWorker","Message":"Canary ecommerce/product-catalog: advance at v1:80,v2:20 \u2192 v1:50,v2:50 (v2 healthy)","State":{"Message":"Canary ecommerce/product-catalog: advance at v1:80,v2:20 \u2192 v1:50,v2:50 (v2 healthy)","Canary":"ecommerce/product-catalog","Decision":"advance","Weights":"v1:80,v2:20","Arrow":" \u2192 ","NextWeights":"v1:50,v2:50","Cause":"v2 healthy","{OriginalFormat}":"Canary {Canary}: {Decision} at {Weights}{Arrow}{NextWeights} ({Cause})"}}
            """;

        var e = Assert.IsType<CanaryDecision>(WorkerEvent.Parse(line, DateTimeOffset.UnixEpoch));

        Assert.Equal("product-catalog", e.Name);
        Assert.Equal("advance", e.Decision);
        Assert.Equal([new("v1", 80), new("v2", 20)], e.Weights);
        Assert.Equal([new("v1", 50), new("v2", 50)], e.Next);
        Assert.Equal("v2 healthy", e.Cause);
    }

    [Fact]
    public void Another_line_naming_a_canary_is_not_a_decision()
    {
        const string line = """
            {"EventId":9,"LogLevel":"Information","Category":"PromotionBot.PullRequests.PromotionCycle","Message":"Canary product-catalog: advance held","State":{"Canary":"product-catalog","Decision":"advance","{OriginalFormat}":"Canary {Canary}: {Decision} held, step not live: {Cause}"}}
            """;

        Assert.Null(WorkerEvent.Parse(line, DateTimeOffset.UnixEpoch));
        Assert.Null(WorkerEvent.Parse("info: not json", DateTimeOffset.UnixEpoch));
    }

    private static string Template(string method) =>
        typeof(WorkerLog).GetMethod(method, BindingFlags.Public | BindingFlags.Static)!.GetCustomAttribute<LoggerMessageAttribute>()!.Message;
}
