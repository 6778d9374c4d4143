using System.Text;
using System.Text.Json;

namespace PromotionBot.Metrics;

/// <summary>
/// JSON tokens read straight from a response stream with a byte cap: at most one buffer (grown only for a single
/// token, never past the cap) is held, so a huge or endless answer costs the cap, not the answer's size.
/// </summary>
internal sealed class JsonTokenStream(Stream stream, long maxBytes)
{
    private const int ExcerptBytes = 300;
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
    public async ValueTask<bool> NextAsync(CancellationToken ct)
    {
        while (true)
        {
            if (TryRead(out var done))
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

    private bool TryRead(out bool documentDone)
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
        Text = Type is JsonTokenType.String or JsonTokenType.PropertyName ? reader.GetString() : null;
        Number = Type == JsonTokenType.Number && reader.TryGetDouble(out var n) && double.IsFinite(n) ? n : null;
        start += (int)reader.BytesConsumed;
        state = reader.CurrentState;
        return true;
    }

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
