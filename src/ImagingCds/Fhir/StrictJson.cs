using System.Text.Json;

namespace ImagingCds.Fhir;

/// <summary>
/// What JSON from outside (a hook or feedback body, a FHIR server's answer) must also satisfy, beyond what
/// <see cref="JsonDocument"/> checks: no property name twice in one object, and every <c>\u</c> escape valid UTF-16.
/// </summary>
/// <remarks>
/// <see cref="JsonDocument"/> checks structure only. A repeated name parses, then makes <c>JsonObject</c> (which echoes
/// a draft order back in a systemAction) throw; a lone surrogate escape such as <c>"\uD800"</c> parses, then throws at the
/// first <c>GetString</c> (and inside <c>JsonDocument.Parse</c> itself when it sits in a property name and repeated names
/// are checked). Either would surface far from the input, as a 500; checked where the text is parsed, in the order
/// UTF-8 (<c>Utf8.IsValid</c>), <see cref="FirstInvalidEscape"/>, then parse with <see cref="Options"/>, they are
/// refused like any other malformed JSON.
/// </remarks>
public static class StrictJson
{
    /// <summary>Parse options: at most <paramref name="maxDepth"/> levels of nesting, and no property name twice in one object.</summary>
    public static JsonDocumentOptions Options(int maxDepth) => new() { MaxDepth = maxDepth, AllowDuplicateProperties = false };

    /// <summary>True when <see cref="JsonDocument"/> refused the text for a repeated property name (that exception carries no position).</summary>
    public static bool IsDuplicateProperty(JsonException exception) =>
        exception?.Message.Contains("Duplicate property", StringComparison.Ordinal) == true;

    /// <summary>
    /// The byte offset of the first string or property name whose escapes do not decode to valid UTF-16 (a lone or
    /// reversed surrogate), or null when every one does. Call it before parsing: the parser's own check for repeated
    /// names decodes property names, and throws on such an escape.
    /// </summary>
    /// <remarks>Text that is not well-formed JSON, or nested deeper than <paramref name="maxDepth"/>, is the parser's to report: the scan stops there.</remarks>
    public static long? FirstInvalidEscape(ReadOnlySpan<byte> json, int maxDepth)
    {
        if (!MayHoldSurrogateEscape(json))
        {
            return null;
        }

        var reader = new Utf8JsonReader(json, new JsonReaderOptions { MaxDepth = maxDepth });
        try
        {
            while (reader.Read())
            {
                // Only escaped tokens can hold a bad \u sequence: raw bytes are the caller's UTF-8 check.
                if (reader.TokenType is JsonTokenType.String or JsonTokenType.PropertyName && reader.ValueIsEscaped && !Decodes(ref reader))
                {
                    return reader.TokenStartIndex;
                }
            }
        }
        catch (JsonException)
        {
            // Malformed: JsonDocument.Parse reports it, with its line and byte.
        }

        return null;
    }

    /// <summary>
    /// Whether the text holds <c>\uD8</c>…<c>\uDF</c> anywhere: only a surrogate escape can fail to decode, so text
    /// without one (nearly all of it) needs no scan. An escaped backslash before <c>uD8…</c> is a harmless false positive.
    /// </summary>
    private static bool MayHoldSurrogateEscape(ReadOnlySpan<byte> json)
    {
        int at;
        while ((at = json.IndexOf("\\u"u8)) >= 0)
        {
            json = json[(at + 2)..];
            if (json is [(byte)'D' or (byte)'d', (byte)'8' or (byte)'9' or (>= (byte)'A' and <= (byte)'F') or (>= (byte)'a' and <= (byte)'f'), ..])
            {
                return true;
            }
        }

        return false;
    }

    private static bool Decodes(ref Utf8JsonReader reader)
    {
        try
        {
            _ = reader.GetString();
            return true;
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }
}
