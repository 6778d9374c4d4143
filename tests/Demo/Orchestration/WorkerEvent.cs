using System.Text.Json;

namespace Demo.Orchestration;

/// <summary>What the loop reads from the worker's JSON log lines (Microsoft's json console formatter: EventId, LogLevel, Message, State).</summary>
public abstract record WorkerEvent(DateTimeOffset At)
{
    /// <summary>The message templates of PromotionBot.Worker.WorkerLog the loop reads (Decision, Finished).</summary>
    public const string DecisionTemplate = "Canary {Canary}: {Decision} at {Weights}{Arrow}{NextWeights} ({Cause})";

    public const string FinishedTemplatePrefix = "Cycle {Result} in {DurationSeconds";

    /// <summary>The event of one log line, or null for lines the loop does not use (or that are not JSON).</summary>
    public static WorkerEvent? Parse(string line, DateTimeOffset at)
    {
        if (!line.StartsWith('{'))
        {
            return null;
        }

        try
        {
            using var doc = JsonDocument.Parse(line);
            var root = doc.RootElement;
            var level = Text(root, "LogLevel");
            var message = Text(root, "Message");
            if (!root.TryGetProperty("State", out var state) || state.ValueKind != JsonValueKind.Object)
            {
                return level is "Warning" or "Error" or "Critical" ? new WorkerMessage(at, level, message) : null;
            }

            // WorkerLog.Decision, by its template: other lines (the gate's "advance held") carry a Canary too.
            var template = Text(state, "{OriginalFormat}");
            if (template == DecisionTemplate && Text(state, "Canary") is { Length: > 0 } canary && Text(state, "Decision") is { Length: > 0 } decision)
            {
                return new CanaryDecision(at, canary, decision, ParseWeights(Text(state, "Weights")),
                    ParseWeights(Text(state, "NextWeights")), Text(state, "Cause"));
            }

            if (template.StartsWith(FinishedTemplatePrefix, StringComparison.Ordinal) && Text(state, "Result") is { Length: > 0 } result)
            {
                return new CycleFinished(at, result, Text(state, "BaseSha"), Text(state, "Trigger"));
            }

            return level is "Warning" or "Error" or "Critical" ? new WorkerMessage(at, level, message) : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>"v1:80,v2:20" in route order; empty for "" or "unknown weights".</summary>
    public static IReadOnlyList<KeyValuePair<string, int>> ParseWeights(string text)
    {
        var weights = new List<KeyValuePair<string, int>>();
        foreach (var pair in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var colon = pair.LastIndexOf(':');
            if (colon <= 0 || !int.TryParse(pair[(colon + 1)..], System.Globalization.CultureInfo.InvariantCulture, out var weight))
            {
                return [];
            }

            weights.Add(new(pair[..colon], weight));
        }

        return weights;
    }

    private static string Text(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) ? value.ValueKind == JsonValueKind.String ? value.GetString() ?? "" : value.ToString() : "";
}

/// <summary>One canary's decision in one cycle (weights in git, proposed weights, the short cause).</summary>
/// <param name="Canary">namespace/name.</param>
public sealed record CanaryDecision(DateTimeOffset At, string Canary, string Decision, IReadOnlyList<KeyValuePair<string, int>> Weights,
    IReadOnlyList<KeyValuePair<string, int>> Next, string Cause) : WorkerEvent(At)
{
    public string Name => Canary[(Canary.IndexOf('/', StringComparison.Ordinal) + 1)..];
}

/// <summary>The end of a cycle.</summary>
public sealed record CycleFinished(DateTimeOffset At, string Result, string BaseSha, string Trigger) : WorkerEvent(At);

/// <summary>A warning or error the worker logged (shown as is).</summary>
public sealed record WorkerMessage(DateTimeOffset At, string Level, string Message) : WorkerEvent(At);
