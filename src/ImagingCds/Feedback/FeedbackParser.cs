using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using ImagingCds.Hooks;

namespace ImagingCds.Feedback;

/// <summary>
/// Parses and validates a CDS Hooks 2.0 feedback body (https://cds-hooks.org/specification/current/#feedback).
/// </summary>
/// <remarks>
/// <para>Pure: the first problem becomes a <see cref="HookRequestError"/> naming the element, never an exception.
/// Unknown fields are ignored, as the specification asks. Messages never quote the user's comment.</para>
/// <para>Override reasons are read in three spellings: the specification's <c>overrideReason</c>
/// (<c>{"reason": Coding, "userComment": "…"}</c>), a bare Coding in <c>overrideReason</c>, and Epic's
/// <c>overrideReasons</c> array of either. Missing <c>outcomeTimestamp</c> is tolerated (stored as unknown);
/// a malformed one is refused.</para>
/// </remarks>
public static partial class FeedbackParser
{
    /// <summary>Deep enough for <c>feedback[].overrideReasons[].reason</c> with room to spare.</summary>
    private const int MaxDepth = 16;

    public static IReadOnlyList<FeedbackItem>? Parse(ReadOnlyMemory<byte> body, out HookRequestError? error)
    {
        error = null;
        if (!System.Text.Unicode.Utf8.IsValid(body.Span))
        {
            error = Bad("malformed-json", "the body is not valid UTF-8", string.Empty);
            return null;
        }

        // A lone surrogate escape ("\uD800") parses, then throws at the first GetString.
        if (Fhir.StrictJson.FirstInvalidEscape(body.Span, MaxDepth) is { } offset)
        {
            error = Bad("malformed-json", $"the body has a \\u escape that is not valid UTF-16 (byte {offset + 1})", string.Empty);
            return null;
        }

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(body, new JsonDocumentOptions { MaxDepth = MaxDepth });
        }
        catch (JsonException ex)
        {
            var where = ex.LineNumber is { } line ? $"line {line + 1}, byte {ex.BytePositionInLine + 1}" : "body";
            error = Bad("malformed-json", $"the body is not valid JSON ({where})", string.Empty);
            return null;
        }

        using (document)
        {
            return Validate(document.RootElement, out error);
        }
    }

    private static List<FeedbackItem>? Validate(JsonElement root, out HookRequestError? error)
    {
        error = null;
        if (root.ValueKind != JsonValueKind.Object)
        {
            error = Bad("not-an-object", "the feedback body must be a JSON object", string.Empty);
            return null;
        }

        if (!root.TryGetProperty("feedback", out var feedback) || feedback.ValueKind != JsonValueKind.Array)
        {
            error = Bad("missing-feedback", "the body must hold a 'feedback' array", "feedback");
            return null;
        }

        var items = new List<FeedbackItem>(feedback.GetArrayLength());
        var index = 0;
        foreach (var element in feedback.EnumerateArray())
        {
            var item = Item(element, $"feedback[{index++}]", ref error);
            if (item is null)
            {
                return null;
            }

            items.Add(item);
        }

        return items;
    }

    private static FeedbackItem? Item(JsonElement item, string path, ref HookRequestError? error)
    {
        if (item.ValueKind != JsonValueKind.Object)
        {
            error = Bad("invalid-feedback-item", "each feedback entry must be a JSON object", path);
            return null;
        }

        if (!item.TryGetProperty("card", out var cardElement) || cardElement.ValueKind != JsonValueKind.String || cardElement.GetString()!.Length == 0)
        {
            error = Bad("missing-card", "each feedback entry needs 'card', the uuid of the card acted on", $"{path}.card");
            return null;
        }

        if (!TryUuid(cardElement, out var card))
        {
            error = Bad("invalid-card", "'card' must be a card uuid (8-4-4-4-12 hexadecimal digits)", $"{path}.card");
            return null;
        }

        if (!item.TryGetProperty("outcome", out var outcomeElement) || outcomeElement.ValueKind != JsonValueKind.String)
        {
            error = Bad("missing-outcome", "each feedback entry needs 'outcome': 'accepted' or 'overridden'", $"{path}.outcome");
            return null;
        }

        FeedbackOutcome outcome;
        switch (outcomeElement.GetString())
        {
            case "accepted":
                outcome = FeedbackOutcome.Accepted;
                break;
            case "overridden":
                outcome = FeedbackOutcome.Overridden;
                break;
            default:
                error = Bad("unknown-outcome", "'outcome' must be 'accepted' or 'overridden'", $"{path}.outcome");
                return null;
        }

        var suggestions = AcceptedSuggestions(item, path, ref error);
        if (suggestions is null)
        {
            return null;
        }

        var reasons = new List<ReasonCoding>();
        var comments = new List<string>();
        string? reasonPath = null; // the first field that gave a reason or comment, for the accepted-with-reason error
        if (Present(item, "overrideReason") is { } single)
        {
            Reason(single, $"{path}.overrideReason", reasons, comments, ref error);
            reasonPath = reasons.Count + comments.Count > 0 ? $"{path}.overrideReason" : null;
        }

        if (error is null && Present(item, "overrideReasons") is { } several)
        {
            if (several.ValueKind != JsonValueKind.Array)
            {
                error = Bad("invalid-override-reason", "'overrideReasons' must be an array of reasons or Codings", $"{path}.overrideReasons");
            }
            else
            {
                var i = 0;
                foreach (var reason in several.EnumerateArray())
                {
                    Reason(reason, $"{path}.overrideReasons[{i++}]", reasons, comments, ref error);
                    if (error is not null)
                    {
                        break;
                    }
                }

                reasonPath ??= reasons.Count + comments.Count > 0 ? $"{path}.overrideReasons" : null;
            }
        }

        var timestamp = OutcomeTimestamp(item, path, ref error);
        if (error is not null)
        {
            return null;
        }

        if (outcome == FeedbackOutcome.Accepted && (reasons.Count > 0 || comments.Count > 0))
        {
            error = Bad("override-reason-on-accepted", "an 'accepted' outcome cannot carry an override reason", reasonPath!);
            return null;
        }

        if (outcome == FeedbackOutcome.Overridden && suggestions.Count > 0)
        {
            error = Bad("suggestions-on-override", "an 'overridden' outcome cannot list accepted suggestions", $"{path}.acceptedSuggestions");
            return null;
        }

        return new FeedbackItem(card, outcome, suggestions, reasons, comments.Count == 0 ? null : string.Join("\n", comments), timestamp);
    }

    private static List<Guid>? AcceptedSuggestions(JsonElement item, string path, ref HookRequestError? error)
    {
        var ids = new List<Guid>();
        if (Present(item, "acceptedSuggestions") is not { } list)
        {
            return ids;
        }

        if (list.ValueKind != JsonValueKind.Array)
        {
            error = Bad("invalid-accepted-suggestion", "'acceptedSuggestions' must be an array of {\"id\": uuid}", $"{path}.acceptedSuggestions");
            return null;
        }

        var i = 0;
        foreach (var suggestion in list.EnumerateArray())
        {
            var at = $"{path}.acceptedSuggestions[{i++}]";
            if (suggestion.ValueKind != JsonValueKind.Object || !suggestion.TryGetProperty("id", out var id) || !TryUuid(id, out var uuid))
            {
                error = Bad("invalid-accepted-suggestion", "each accepted suggestion must be {\"id\": uuid} with the suggestion's uuid", $"{at}.id");
                return null;
            }

            ids.Add(uuid);
        }

        return ids;
    }

    /// <summary>One reason: <c>{"reason": Coding, "userComment": "…"}</c> or a bare Coding. Empty objects add nothing.</summary>
    private static void Reason(JsonElement reason, string path, List<ReasonCoding> reasons, List<string> comments, ref HookRequestError? error)
    {
        if (reason.ValueKind != JsonValueKind.Object)
        {
            error = Bad("invalid-override-reason", "an override reason must be an object: {\"reason\": Coding, \"userComment\": text} or a Coding", path);
            return;
        }

        if (reason.TryGetProperty("reason", out _) || reason.TryGetProperty("userComment", out _))
        {
            if (Present(reason, "reason") is { } coding && Coding(coding, $"{path}.reason", ref error) is { } parsed)
            {
                reasons.Add(parsed);
            }

            if (error is null && Present(reason, "userComment") is { } comment)
            {
                if (comment.ValueKind != JsonValueKind.String)
                {
                    error = Bad("invalid-override-reason", "'userComment' must be text", $"{path}.userComment");
                }
                else if (comment.GetString() is { Length: > 0 } text)
                {
                    comments.Add(text);
                }
            }

            return;
        }

        if (reason.EnumerateObject().Any() && Coding(reason, path, ref error) is { } bare)
        {
            reasons.Add(bare);
        }
    }

    private static ReasonCoding? Coding(JsonElement coding, string path, ref HookRequestError? error)
    {
        if (coding.ValueKind != JsonValueKind.Object)
        {
            error = Bad("invalid-override-reason", "an override reason must be a Coding object", path);
            return null;
        }

        if (!coding.TryGetProperty("code", out var code) || code.ValueKind != JsonValueKind.String || code.GetString()!.Length == 0)
        {
            error = Bad("invalid-override-reason", "an override reason Coding needs a 'code'", $"{path}.code");
            return null;
        }

        var system = OptionalString(coding, "system", path, ref error);
        var display = OptionalString(coding, "display", path, ref error);
        return error is null ? new ReasonCoding(code.GetString()!, system, display) : null;
    }

    private static DateTimeOffset? OutcomeTimestamp(JsonElement item, string path, ref HookRequestError? error)
    {
        if (error is not null || Present(item, "outcomeTimestamp") is not { } value)
        {
            return null;
        }

        // An instant with its offset (FHIR instant / ISO 8601): a date alone or a local time would be ambiguous.
        if (value.ValueKind != JsonValueKind.String || !Instant().IsMatch(value.GetString()!) ||
            !DateTimeOffset.TryParse(value.GetString(), CultureInfo.InvariantCulture, DateTimeStyles.None, out var instant))
        {
            error = Bad("invalid-outcome-timestamp", "'outcomeTimestamp' must be an ISO 8601 date-time with a time zone, such as 2026-01-01T09:30:00Z", $"{path}.outcomeTimestamp");
            return null;
        }

        return instant.ToUniversalTime();
    }

    private static string? OptionalString(JsonElement parent, string name, string path, ref HookRequestError? error)
    {
        if (Present(parent, name) is not { } value)
        {
            return null;
        }

        if (value.ValueKind != JsonValueKind.String)
        {
            error = Bad("invalid-override-reason", $"'{name}' must be text", $"{path}.{name}");
            return null;
        }

        return value.GetString() is { Length: > 0 } text ? text : null;
    }

    /// <summary>The property when present and not JSON <c>null</c>.</summary>
    private static JsonElement? Present(JsonElement parent, string name) =>
        parent.TryGetProperty(name, out var value) && value.ValueKind != JsonValueKind.Null ? value : null;

    private static bool TryUuid(JsonElement value, out Guid uuid)
    {
        uuid = Guid.Empty;
        return value.ValueKind == JsonValueKind.String && Guid.TryParseExact(value.GetString(), "D", out uuid);
    }

    private static HookRequestError Bad(string code, string message, string path) => new(400, code, message, path);

    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$", RegexOptions.CultureInvariant)]
    private static partial Regex Instant();
}
