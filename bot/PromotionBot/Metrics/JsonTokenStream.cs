using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Unicode;

namespace PromotionBot.Metrics;

/// <summary>
/// JSON tokens read straight from a response stream with a byte cap: at most one buffer (grown only for a single
/// token, never past the cap) is held, so a huge or endless answer costs the cap, not the answer's size.
/// </summary>
internal sealed class JsonTokenStream(Stream stream, long maxBytes)
{
    private const int ExcerptBytes = 300;

    // Label names and values repeat across series (namespaces, services, versions, slots, cluster names): one string each.
    // Bounded, so a hostile answer of endless distinct values costs no more than the strings themselves.
    private const int MaxPooledStrings = 8192;
    private const int MaxPooledBytes = 128;
    private readonly HashSet<string> pool = new(StringComparer.Ordinal);
    private byte[] buffer = new byte[16 * 1024];
    private int start;
    private int end;
    private bool final;
    private JsonReaderState state = new(new JsonReaderOptions { MaxDepth = 64 });
    private readonly byte[] excerpt = new byte[ExcerptBytes];
    private int excerptLength;

    public long BytesRead { get; private set; }

    public JsonTokenType Type { get; private set; }

    /// <summary>Property name or string value of the current token.</summary>
    public string? Text { get; private set; }

    /// <summary>Number of the current token; null when it is not a representable number.</summary>
    public double? Number { get; private set; }

    /// <summary>
    /// After <see cref="NextSampleValueAsync"/>: the string token read as a Prometheus sample value ("NaN", "+Inf",
    /// "Inf", "-Inf" or a number) straight from its bytes; null when it is not one (then <see cref="Text"/> holds the string).
    /// </summary>
    public double? SampleValue { get; private set; }

    /// <summary>The first bytes of the answer, for error messages about non-JSON bodies (HTML error pages).</summary>
    public string Excerpt
    {
        get
        {
            var text = Encoding.UTF8.GetString(excerpt, 0, excerptLength);
            return string.Concat(text.Select(c => char.IsControl(c) ? ' ' : c)).Trim() + (BytesRead > ExcerptBytes ? "…" : "");
        }
    }

    /// <summary>Advances to the next token; false at the end of the document.</summary>
    /// <exception cref="MalformedAnswerException">Invalid JSON, or more than the cap.</exception>
    public ValueTask<bool> NextAsync(CancellationToken ct) => NextAsync(sampleValue: false, ct);

    /// <summary>
    /// Like <see cref="NextAsync(CancellationToken)"/> for a token expected to be a sample value: a string that parses
    /// sets <see cref="SampleValue"/> without allocating it (sample values rarely repeat, so they are not pooled either).
    /// </summary>
    public ValueTask<bool> NextSampleValueAsync(CancellationToken ct) => NextAsync(sampleValue: true, ct);

    private async ValueTask<bool> NextAsync(bool sampleValue, CancellationToken ct)
    {
        while (true)
        {
            if (TryRead(sampleValue, out var done))
            {
                return true;
            }

            if (done)
            {
                return false;
            }

            await FillAsync(ct);
        }
    }

    /// <summary>Skips the value that starts at the current token (a whole object or array included).</summary>
    public async ValueTask SkipValueAsync(CancellationToken ct)
    {
        if (Type is not (JsonTokenType.StartObject or JsonTokenType.StartArray))
        {
            return;
        }

        var depth = 1;
        while (depth > 0)
        {
            if (!await NextAsync(ct))
            {
                throw new MalformedAnswerException("the answer ends in the middle of a value");
            }

            depth += Type switch
            {
                JsonTokenType.StartObject or JsonTokenType.StartArray => 1,
                JsonTokenType.EndObject or JsonTokenType.EndArray => -1,
                _ => 0,
            };
        }
    }

    private bool TryRead(bool sampleValue, out bool documentDone)
    {
        documentDone = false;
        var reader = new Utf8JsonReader(buffer.AsSpan(start, end - start), final, state);
        bool read;
        try
        {
            read = reader.Read();
        }
        catch (JsonException e)
        {
            throw new MalformedAnswerException($"not valid JSON ({FirstSentence(e.Message)})", Excerpt);
        }

        if (!read)
        {
            // Not final: the token continues in bytes not read yet. Final: the document is complete (the reader throws otherwise).
            documentDone = final;
            return false;
        }

        Type = reader.TokenType;
        SampleValue = sampleValue && Type == JsonTokenType.String && !reader.ValueIsEscaped ? ParseSampleValue(reader.ValueSpan) : null;
        Text = SampleValue is null && Type is JsonTokenType.String or JsonTokenType.PropertyName ? ReadString(ref reader) : null;
        Number = Type == JsonTokenType.Number && reader.TryGetDouble(out var n) && double.IsFinite(n) ? n : null;
        start += (int)reader.BytesConsumed;
        state = reader.CurrentState;
        return true;
    }

    /// <summary>The token's string, from the pool when short; anything unusual (escapes, invalid UTF-8) goes through the reader as before.</summary>
    private string ReadString(ref Utf8JsonReader reader)
    {
        var bytes = reader.ValueSpan;
        if (reader.ValueIsEscaped || bytes.Length > MaxPooledBytes)
        {
            return reader.GetString()!;
        }

        Span<char> chars = stackalloc char[MaxPooledBytes];
        if (Utf8.ToUtf16(bytes, chars, out _, out var written, replaceInvalidSequences: false) != OperationStatus.Done)
        {
            return reader.GetString()!;
        }

        var text = chars[..written];
        if (pool.GetAlternateLookup<ReadOnlySpan<char>>().TryGetValue(text, out var known))
        {
            return known;
        }

        var created = new string(text);
        if (pool.Count < MaxPooledStrings)
        {
            pool.Add(created);
        }

        return created;
    }

    /// <summary>Prometheus's sample value text, parsed exactly as the string would be; null when it is none of them.</summary>
    private static double? ParseSampleValue(ReadOnlySpan<byte> text) =>
        text.SequenceEqual("NaN"u8) ? double.NaN
        : text.SequenceEqual("+Inf"u8) || text.SequenceEqual("Inf"u8) ? double.PositiveInfinity
        : text.SequenceEqual("-Inf"u8) ? double.NegativeInfinity
        : double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) ? v
        : null;

    private async ValueTask FillAsync(CancellationToken ct)
    {
        if (final)
        {
            throw new MalformedAnswerException("the answer is empty or ends in the middle of a value", Excerpt);
        }

        // Keep the unread tail; grow only when one token is larger than the whole buffer.
        var pending = end - start;
        if (start > 0)
        {
            Buffer.BlockCopy(buffer, start, buffer, 0, pending);
            (start, end) = (0, pending);
        }

        if (end == buffer.Length)
        {
            var larger = (int)Math.Min((long)buffer.Length * 2, maxBytes + 1);
            if (larger <= buffer.Length)
            {
                throw TooLarge();
            }

            Array.Resize(ref buffer, larger);
        }

        var read = await stream.ReadAsync(buffer.AsMemory(end), ct);
        if (read == 0)
        {
            final = true;
            return;
        }

        if (excerptLength < ExcerptBytes)
        {
            var take = Math.Min(read, ExcerptBytes - excerptLength);
            Buffer.BlockCopy(buffer, end, excerpt, excerptLength, take);
            excerptLength += take;
        }

        end += read;
        BytesRead += read;
        if (BytesRead > maxBytes)
        {
            throw TooLarge();
        }
    }

    private MalformedAnswerException TooLarge() =>
        new($"the answer is larger than the {PrometheusResponse.Describe(maxBytes)} limit; not read further");

    private static string FirstSentence(string message)
    {
        var dot = message.IndexOf(". ", StringComparison.Ordinal);
        return dot > 0 ? message[..dot] : message;
    }
}

/// <summary>A Prometheus answer the bot cannot use; the message names what was wrong (and where).</summary>
internal sealed class MalformedAnswerException(string message, string? excerpt = null) : Exception(message)
{
    public string? Excerpt { get; } = excerpt;
}
