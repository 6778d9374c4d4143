using System.Text.Encodings.Web;
using System.Text.Json;
using PromotionBot.Analysis;

namespace PromotionBot.Reporting;

/// <summary>The JSON contract of <c>analyze --format json</c>. Field names are a contract for scripts: add, never rename.</summary>
public static class JsonReport
{
    public static string Render(AnalysisRun run)
    {
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            w.WriteStartObject();
            w.WriteString("evaluatedAt", run.EvaluatedAt.ToUniversalTime().ToString("yyyy-MM-ddTHH:mm:ssZ", System.Globalization.CultureInfo.InvariantCulture));
            w.WriteStartArray("canaries");
            foreach (var c in run.Canaries)
            {
                WriteCanary(w, c);
            }

            w.WriteEndArray();
            w.WriteEndObject();
        }

        return System.Text.Encoding.UTF8.GetString(buffer.ToArray());
    }

    private static void WriteCanary(Utf8JsonWriter w, CanaryEvaluation c)
    {
        var p = c.Policy;
        var d = c.Decision;
        w.WriteStartObject();
        w.WriteString("name", c.Name);
        WriteNullable(w, "namespace", p?.Namespace);
        WriteNullable(w, "service", p?.Service);
        WriteNullable(w, "stable", p?.Stable);
        WriteNullable(w, "canary", p?.Canary);
        WriteNullable(w, "policyFile", p?.PolicyFile);
        WriteNullable(w, "virtualServiceFile", p?.VirtualService.File);
        WriteNullable(w, "window", p is null ? null : Policy.Durations.Format(p.Analysis.Window));
        if (p is null)
        {
            w.WriteNull("timeScale");
        }
        else
        {
            w.WriteNumber("timeScale", p.Analysis.TimeScale);
        }

        if (c.Weights is not null && p is not null)
        {
            WriteWeights(w, "weights", new Dictionary<string, int> { [p.Stable] = c.Weights.Of(p.Stable), [p.Canary] = c.Weights.Of(p.Canary) });
        }
        else
        {
            w.WriteNull("weights");
        }

        WriteNullable(w, "decision", d is null ? null : Names.Of(d.Kind));
        WriteNullable(w, "holdReason", d is null ? null : Names.Of(d.HoldReason));
        if (d?.Next is { } next)
        {
            WriteWeights(w, "nextWeights", next);
        }
        else
        {
            w.WriteNull("nextWeights");
        }

        w.WriteStartArray("causes");
        foreach (var cause in d?.CauseList ?? [])
        {
            w.WriteStringValue(Names.Of(cause));
        }

        w.WriteEndArray();
        w.WriteStartArray("reasons");
        foreach (var r in d?.Reasons ?? [])
        {
            w.WriteStringValue(r);
        }

        w.WriteEndArray();
        w.WriteStartArray("checks");
        foreach (var check in d?.Checks ?? [])
        {
            w.WriteStartObject();
            w.WriteString("name", check.Name);
            w.WriteString("subset", check.Subset);
            WriteNumber(w, "value", check.Value);
            WriteNumber(w, "threshold", check.Threshold);
            w.WriteString("result", Names.Of(check.Result));
            w.WriteString("detail", check.Detail);
            w.WriteEndObject();
        }

        w.WriteEndArray();
        if (p is not null && c.Signals is not null && c.Signals.Unavailable is null)
        {
            w.WriteStartObject("requests");
            foreach (var subset in new[] { p.Stable, p.Canary })
            {
                w.WriteNumber(subset, Math.Round(c.Signals.Of(subset)?.Requests ?? 0, 3));
            }

            w.WriteEndObject();
        }
        else
        {
            w.WriteNull("requests");
        }

        if (d?.Comparison is { } cmp && p is not null)
        {
            w.WriteStartObject("comparison");
            WriteNumber(w, "canaryErrorRate", cmp.CanaryRate);
            WriteNumber(w, "stableErrorRate", cmp.StableRate);
            WriteNumber(w, "difference", cmp.Difference);
            WriteNumber(w, "lower", cmp.Lower);
            WriteNumber(w, "upper", cmp.Upper);
            WriteNumber(w, "confidence", cmp.Confidence);
            WriteNumber(w, "maxIncrease", cmp.MaxIncrease);
            w.WriteString("verdict", Names.Of(cmp.Verdict));
            w.WriteBoolean("sustained", cmp.SustainedWorse);
            w.WriteString("text", DecisionEngine.Describe(cmp, p.Stable, p.Canary));
            w.WriteEndObject();
        }
        else
        {
            w.WriteNull("comparison");
        }

        WriteNullable(w, "error", c.Error);
        w.WriteEndObject();
    }

    private static void WriteWeights(Utf8JsonWriter w, string name, IReadOnlyDictionary<string, int> weights)
    {
        w.WriteStartObject(name);
        foreach (var (subset, weight) in weights)
        {
            w.WriteNumber(subset, weight);
        }

        w.WriteEndObject();
    }

    private static void WriteNullable(Utf8JsonWriter w, string name, string? value)
    {
        if (value is null)
        {
            w.WriteNull(name);
        }
        else
        {
            w.WriteString(name, value);
        }
    }

    // JSON has no NaN/Inf: such values are reported as null and explained in the check's detail.
    private static void WriteNumber(Utf8JsonWriter w, string name, double? value)
    {
        if (value is { } v && double.IsFinite(v))
        {
            w.WriteNumber(name, Math.Round(v, 6));
        }
        else
        {
            w.WriteNull(name);
        }
    }
}
