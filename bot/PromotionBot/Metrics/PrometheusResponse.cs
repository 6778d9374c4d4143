using System.Globalization;
using System.Text.Json;

namespace PromotionBot.Metrics;

/// <summary>What one Prometheus HTTP API answer said: success with a result, or an error.</summary>
internal sealed record PrometheusAnswer(string? Status, string? ErrorType, string? Error, string? ResultType, IReadOnlyList<RangeSeries> Series);

/// <summary>
/// Reads the Prometheus HTTP API envelope (<c>{"status", "data": {"resultType", "result"}, "errorType", "error"}</c>)
/// token by token under a byte cap and a series cap, checking every value it keeps. Anything unexpected becomes a
/// <see cref="MalformedAnswerException"/> naming the JSON path and the problem — never a parse crash.
/// </summary>
internal static class PrometheusResponse
{
    public const long DefaultMaxBytes = 16L * 1024 * 1024;

    /// <summary>The bot's queries return a few series per canary; far more means the selector matched the wrong thing.</summary>
    public const int MaxSeries = 10_000;

    public const int MaxPointsPerSeries = 11_000;

    private const int MaxLabelsPerSeries = 128;

    public static string Describe(long bytes) =>
        bytes % (1024 * 1024) == 0 ? $"{bytes / (1024 * 1024)} MiB" : $"{bytes.ToString("N0", CultureInfo.InvariantCulture)} bytes";

    public static Task<PrometheusAnswer> ReadAsync(Stream body, long maxBytes, CancellationToken ct) => ReadAsync(body, maxBytes, MaxSeries, ct);

    /// <param name="maxSeries">Series cap: <see cref="MaxSeries"/> for one canary's query, more for a query shared by many.</param>
    public static async Task<PrometheusAnswer> ReadAsync(Stream body, long maxBytes, int maxSeries, CancellationToken ct)
    {
        var json = new JsonTokenStream(body, maxBytes);
        try
        {
            return await ReadEnvelopeAsync(json, maxSeries, ct);
        }
        catch (MalformedAnswerException e) when (e.Excerpt is null)
        {
            throw new MalformedAnswerException(e.Message, json.Excerpt);
        }
    }

    private static async ValueTask<PrometheusAnswer> ReadEnvelopeAsync(JsonTokenStream json, int maxSeries, CancellationToken ct)
    {
        await ExpectAsync(json, JsonTokenType.StartObject, "the answer", ct);
        string? status = null, errorType = null, error = null, resultType = null;
        IReadOnlyList<RangeSeries>? series = null;
        while (await NextPropertyAsync(json, "the answer", ct) is { } name)
        {
            switch (name)
            {
                case "status": status = await StringAsync(json, "status", ct); break;
                case "errorType": errorType = await StringAsync(json, "errorType", ct); break;
                case "error": error = await StringAsync(json, "error", ct); break;
                case "data":
                    await ExpectAsync(json, JsonTokenType.StartObject, "data", ct);
                    while (await NextPropertyAsync(json, "data", ct) is { } field)
                    {
                        switch (field)
                        {
                            case "resultType": resultType = await StringAsync(json, "data.resultType", ct); break;
                            case "result": series = await ResultAsync(json, maxSeries, ct); break;
                            default: await SkipAsync(json, ct); break;
                        }
                    }

                    break;
                default: await SkipAsync(json, ct); break;
            }
        }

        if (await json.NextAsync(ct))
        {
            throw new MalformedAnswerException("unexpected content after the answer");
        }

        if (status is null)
        {
            throw new MalformedAnswerException("no \"status\" field: not a Prometheus API answer");
        }

        if (status == "success")
        {
            if (resultType is null || series is null)
            {
                throw new MalformedAnswerException($"status success without {(resultType is null ? "data.resultType" : "data.result")}");
            }

            var shape = resultType switch
            {
                "vector" or "matrix" => series.All(s => s.Points.Count > 0 || resultType == "matrix"),
                "scalar" or "string" => series.Count == 1,
                _ => throw new MalformedAnswerException($"data.resultType '{Clip(resultType)}' is not vector, matrix, scalar or string"),
            };
            if (!shape)
            {
                throw new MalformedAnswerException($"data.result does not have the shape of a {resultType}");
            }
        }

        return new PrometheusAnswer(status, errorType, error is null ? null : Clip(error, 500), resultType, series ?? []);
    }

    /// <summary>A vector/matrix (array of series objects) or a scalar/string ([time, "value"]); told apart by shape.</summary>
    private static async ValueTask<IReadOnlyList<RangeSeries>> ResultAsync(JsonTokenStream json, int maxSeries, CancellationToken ct)
    {
        await ExpectAsync(json, JsonTokenType.StartArray, "data.result", ct);
        var list = new List<RangeSeries>();
        if (!await json.NextAsync(ct))
        {
            throw new MalformedAnswerException("the answer ends inside data.result");
        }

        if (json.Type is JsonTokenType.Number or JsonTokenType.String)
        {
            // Scalar: [time, "value"] — the first token is already read.
            var point = await PointRestAsync(json, "data.result", ct);
            return [new RangeSeries(new Dictionary<string, string>(), [point])];
        }

        for (var i = 0; json.Type != JsonTokenType.EndArray; i++)
        {
            if (i >= maxSeries)
            {
                throw new MalformedAnswerException($"data.result has more than {maxSeries:N0} series; the query matched far more than one canary's subsets");
            }

            list.Add(await SeriesAsync(json, new JsonPath("data.result", i), ct));
            if (!await json.NextAsync(ct))
            {
                throw new MalformedAnswerException("the answer ends inside data.result");
            }
        }

        return list;
    }

    private static async ValueTask<RangeSeries> SeriesAsync(JsonTokenStream json, JsonPath path, CancellationToken ct)
    {
        if (json.Type != JsonTokenType.StartObject)
        {
            throw new MalformedAnswerException($"{path}: expected an object with \"metric\" and \"value\", got {Describe(json.Type)}");
        }

        Dictionary<string, string>? labels = null;
        var points = new List<(DateTimeOffset, double)>(1);
        var sawValue = false;
        while (await NextPropertyAsync(json, path, ct) is { } name)
        {
            switch (name)
            {
                case "metric":
                    labels = await LabelsAsync(json, path.Field(".metric"), ct);
                    break;
                case "value":
                    await ExpectAsync(json, JsonTokenType.StartArray, path.Field(".value"), ct);
                    await ExpectAnyAsync(json, path.Field(".value"), ct);
                    points.Add(await PointRestAsync(json, path.Field(".value"), ct));
                    sawValue = true;
                    break;
                case "values":
                    await ExpectAsync(json, JsonTokenType.StartArray, path.Field(".values"), ct);
                    for (var i = 0; ; i++)
                    {
                        await ExpectAnyAsync(json, path.Field(".values"), ct);
                        if (json.Type == JsonTokenType.EndArray)
                        {
                            break;
                        }

                        if (json.Type != JsonTokenType.StartArray)
                        {
                            throw new MalformedAnswerException($"{path}.values[{i}]: expected [time, \"value\"], got {Describe(json.Type)}");
                        }

                        if (i >= MaxPointsPerSeries)
                        {
                            throw new MalformedAnswerException($"{path}.values has more than {MaxPointsPerSeries:N0} points");
                        }

                        await ExpectAnyAsync(json, path.Field(".values").Point(i), ct);
                        points.Add(await PointRestAsync(json, path.Field(".values").Point(i), ct));
                    }

                    sawValue = true;
                    break;
                default:
                    // Native histograms and future fields: the bot's queries never need them.
                    await SkipAsync(json, ct);
                    break;
            }
        }

        if (labels is null)
        {
            throw new MalformedAnswerException($"{path}: no \"metric\" labels");
        }

        return sawValue ? new RangeSeries(labels, points) : throw new MalformedAnswerException($"{path}: no \"value\" or \"values\"");
    }

    private static async ValueTask<Dictionary<string, string>> LabelsAsync(JsonTokenStream json, JsonPath path, CancellationToken ct)
    {
        await ExpectAsync(json, JsonTokenType.StartObject, path, ct);
        var labels = new Dictionary<string, string>(StringComparer.Ordinal);
        while (await NextPropertyAsync(json, path, ct) is { } name)
        {
            labels[name] = await StringAsync(json, path, ct, name);
            if (labels.Count > MaxLabelsPerSeries)
            {
                throw new MalformedAnswerException($"{path} has more than {MaxLabelsPerSeries} labels");
            }
        }

        return labels;
    }

    /// <summary>The rest of a [time, "value"] pair whose first token (the time) is current.</summary>
    private static async ValueTask<(DateTimeOffset, double)> PointRestAsync(JsonTokenStream json, JsonPath path, CancellationToken ct)
    {
        if (json.Type != JsonTokenType.Number || json.Number is not { } seconds || seconds < -62_135_596_800 || seconds > 253_402_300_799)
        {
            throw new MalformedAnswerException($"{path.Tail("[0]")}: expected a Unix time in seconds, got {Shown(json)}");
        }

        if (!await json.NextSampleValueAsync(ct))
        {
            throw new MalformedAnswerException($"the answer ends before {path.Tail("[1]")}");
        }

        if (json.Type != JsonTokenType.String)
        {
            throw new MalformedAnswerException($"{path.Tail("[1]")}: expected a string, got {Shown(json)}");
        }

        var value = json.SampleValue ?? json.Text! switch
        {
            "NaN" => double.NaN,
            "+Inf" or "Inf" => double.PositiveInfinity,
            "-Inf" => double.NegativeInfinity,
            _ => double.TryParse(json.Text, NumberStyles.Float, CultureInfo.InvariantCulture, out var v)
                ? v
                : throw new MalformedAnswerException($"{path.Tail("[1]")}: sample value '{Clip(json.Text!)}' is not a number"),
        };
        await ExpectAsync(json, JsonTokenType.EndArray, path.Tail(" (a [time, \"value\"] pair)"), ct);
        return (DateTimeOffset.FromUnixTimeMilliseconds((long)Math.Round(seconds * 1000)), value);
    }

    private static async ValueTask<string?> NextPropertyAsync(JsonTokenStream json, JsonPath path, CancellationToken ct)
    {
        await ExpectAnyAsync(json, path, ct);
        return json.Type switch
        {
            JsonTokenType.EndObject => null,
            JsonTokenType.PropertyName => json.Text,
            _ => throw new MalformedAnswerException($"{path}: unexpected {Describe(json.Type)}"),
        };
    }

    /// <param name="key">Label name under <paramref name="path"/>; joined only for an error, so a normal answer builds no paths.</param>
    private static async ValueTask<string> StringAsync(JsonTokenStream json, JsonPath path, CancellationToken ct, string? key = null)
    {
        await ExpectAnyAsync(json, path, ct);
        return json.Type == JsonTokenType.String
            ? json.Text!
            : throw new MalformedAnswerException($"{(key is null ? path.ToString() : $"{path}.{Clip(key)}")}: expected a string, got {Shown(json)}");
    }

    private static async ValueTask SkipAsync(JsonTokenStream json, CancellationToken ct)
    {
        await ExpectAnyAsync(json, "a value", ct);
        await json.SkipValueAsync(ct);
    }

    private static async ValueTask ExpectAsync(JsonTokenStream json, JsonTokenType type, JsonPath path, CancellationToken ct)
    {
        await ExpectAnyAsync(json, path, ct);
        if (json.Type != type)
        {
            throw new MalformedAnswerException($"{path}: expected {Describe(type)}, got {Shown(json)}");
        }
    }

    private static async ValueTask ExpectAnyAsync(JsonTokenStream json, JsonPath path, CancellationToken ct)
    {
        if (!await json.NextAsync(ct))
        {
            throw new MalformedAnswerException($"the answer ends before {path}");
        }
    }

    /// <summary>A JSON path such as <c>data.result[3].values[7][1]</c>, spelled out only when an error message needs it.</summary>
    private readonly struct JsonPath(string root, int series = -1, string? field = null, int point = -1, string? tail = null)
    {
        public static implicit operator JsonPath(string root) => new(root);

        public JsonPath Field(string name) => new(root, series, name);

        public JsonPath Point(int index) => new(root, series, field, index);

        public JsonPath Tail(string text) => new(root, series, field, point, text);

        public override string ToString() =>
            $"{root}{(series >= 0 ? $"[{series}]" : "")}{field}{(point >= 0 ? $"[{point}]" : "")}{tail}";
    }

    private static string Shown(JsonTokenStream json) => json.Type switch
    {
        JsonTokenType.String => $"the string '{Clip(json.Text ?? "")}'",
        JsonTokenType.Number => json.Number is { } n ? $"the number {n.ToString(CultureInfo.InvariantCulture)}" : "an out-of-range number",
        _ => Describe(json.Type),
    };

    private static string Describe(JsonTokenType type) => type switch
    {
        JsonTokenType.StartObject => "an object",
        JsonTokenType.StartArray => "an array",
        JsonTokenType.EndObject => "the end of an object",
        JsonTokenType.EndArray => "the end of an array",
        JsonTokenType.String => "a string",
        JsonTokenType.Number => "a number",
        JsonTokenType.True or JsonTokenType.False => "a boolean",
        JsonTokenType.Null => "null",
        _ => type.ToString(),
    };

    /// <summary>Values from the answer appear in messages (and PR bodies) shortened and without control characters.</summary>
    private static string Clip(string text, int max = 60)
    {
        var clean = string.Concat(text.Select(c => char.IsControl(c) ? ' ' : c));
        return clean.Length <= max ? clean : clean[..max] + "…";
    }
}
