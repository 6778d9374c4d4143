using System.Text.Json;

namespace PromotionBot.Cluster;

/// <summary>The part of Alertmanager's webhook JSON (version 4) the bot reads: each alert's status and labels.</summary>
public sealed record AlertPayload(IReadOnlyList<Alert> Alerts)
{
    /// <summary>Null when the body is not JSON or not shaped like an Alertmanager notification.</summary>
    public static AlertPayload? TryParse(ReadOnlySpan<byte> body)
    {
        try
        {
            using var doc = JsonDocument.Parse(body.ToArray(), new JsonDocumentOptions { MaxDepth = 16 });
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("alerts", out var alerts) || alerts.ValueKind != JsonValueKind.Array)
            {
                return null;
            }

            var groupStatus = Text(root, "status");
            var list = new List<Alert>();
            foreach (var alert in alerts.EnumerateArray())
            {
                if (alert.ValueKind != JsonValueKind.Object)
                {
                    return null;
                }

                var labels = new Dictionary<string, string>(StringComparer.Ordinal);
                if (alert.TryGetProperty("labels", out var l) && l.ValueKind == JsonValueKind.Object)
                {
                    foreach (var label in l.EnumerateObject().Where(p => p.Value.ValueKind == JsonValueKind.String))
                    {
                        labels[label.Name] = label.Value.GetString()!;
                    }
                }

                list.Add(new Alert(Text(alert, "status") ?? groupStatus ?? "", labels));
            }

            return new AlertPayload(list);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static string? Text(JsonElement e, string name) =>
        e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
}

public sealed record Alert(string Status, IReadOnlyDictionary<string, string> Labels)
{
    public bool IsFiring => Status == "firing";

    /// <summary>The service the alert names: Istio's destination_service_* labels, else plain namespace/service.</summary>
    public (string Namespace, string Service)? Service =>
        Labels.TryGetValue("destination_service_namespace", out var ns) && Labels.TryGetValue("destination_service_name", out var name)
            ? (ns, name)
            : Labels.TryGetValue("namespace", out ns) && Labels.TryGetValue("service", out name) ? (ns, name) : null;
}
