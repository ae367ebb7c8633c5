using System.Text.Json;

namespace ImagingCds.Hooks;

/// <summary>
/// Parses and validates a CDS Hooks 2.0 <c>order-sign</c> request body (https://cds-hooks.org/specification/current/#http-request).
/// </summary>
/// <remarks>
/// Pure: every problem becomes a <see cref="HookRequestError"/> naming the element, never an exception.
/// Unknown top-level and context fields are ignored, as the specification asks.
/// </remarks>
public static class HookRequestParser
{
    public const string OrderSign = "order-sign";

    public static HookRequest? Parse(ReadOnlyMemory<byte> body, HookOptions limits, out HookRequestError? error)
    {
        ArgumentNullException.ThrowIfNull(limits);
        error = null;

        // JsonDocument checks structure, not the bytes inside strings: invalid UTF-8 would only throw later, at GetString.
        if (!System.Text.Unicode.Utf8.IsValid(body.Span))
        {
            error = Bad("malformed-json", "the body is not valid UTF-8", string.Empty);
            return null;
        }

        if (Fhir.StrictJson.FirstInvalidEscape(body.Span, limits.MaxJsonDepth) is { } offset)
        {
            error = Bad("malformed-json", $"the body has a \\u escape that is not valid UTF-16 (byte {offset + 1})", string.Empty);
            return null;
        }

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(body, Fhir.StrictJson.Options(limits.MaxJsonDepth));
        }
        catch (JsonException ex)
        {
            var where = ex.LineNumber is { } line ? $"line {line + 1}, byte {ex.BytePositionInLine + 1}" : "body";
            var message = ex.Message.Contains("depth", StringComparison.OrdinalIgnoreCase)
                ? $"JSON nesting is deeper than {limits.MaxJsonDepth} levels ({where})"
                : Fhir.StrictJson.IsDuplicateProperty(ex)
                    ? "the body has an object with the same property name twice"
                    : $"the body is not valid JSON ({where})";
            error = Bad("malformed-json", message, string.Empty);
            return null;
        }

        // The document's memory is owned by the caller's buffer; Clone detaches what we keep.
        using (document)
        {
            return Validate(document.RootElement, limits, out error);
        }
    }

    private static HookRequest? Validate(JsonElement root, HookOptions limits, out HookRequestError? error)
    {
        error = null;
        if (root.ValueKind != JsonValueKind.Object)
        {
            error = Bad("not-an-object", "the request body must be a JSON object", string.Empty);
            return null;
        }

        var hook = RequiredString(root, "hook", "hook", ref error);
        var hookInstance = RequiredString(root, "hookInstance", "hookInstance", ref error);
        if (error is not null)
        {
            return null;
        }

        if (hook != OrderSign)
        {
            error = Bad("wrong-hook", $"this service answers the '{OrderSign}' hook, not '{hook}'", "hook");
            return null;
        }

        var fhirServer = OptionalFhirServer(root, ref error);
        var authorization = OptionalAuthorization(root, fhirServer, ref error);
        if (error is not null)
        {
            return null;
        }

        if (!root.TryGetProperty("context", out var context) || context.ValueKind != JsonValueKind.Object)
        {
            error = Bad("missing-context", "'context' is required and must be an object", "context");
            return null;
        }

        var userId = RequiredString(context, "userId", "context.userId", ref error);
        var patientId = RequiredString(context, "patientId", "context.patientId", ref error);
        var encounterId = OptionalString(context, "encounterId", "context.encounterId", ref error);
        if (error is not null)
        {
            return null;
        }

        if (!context.TryGetProperty("draftOrders", out var draftOrders))
        {
            error = Bad("missing-draft-orders", "'context.draftOrders' is required for order-sign", "context.draftOrders");
            return null;
        }

        if (FhirResourceType(draftOrders) != "Bundle")
        {
            error = Bad("draft-orders-not-bundle", "'context.draftOrders' must be a FHIR Bundle (resourceType 'Bundle')", "context.draftOrders");
            return null;
        }

        if (draftOrders.TryGetProperty("entry", out var entries) && entries.ValueKind == JsonValueKind.Array &&
            entries.GetArrayLength() > limits.MaxBundleEntries)
        {
            error = Bad("too-many-entries", $"'context.draftOrders' has more than {limits.MaxBundleEntries} entries", "context.draftOrders.entry");
            return null;
        }

        var prefetch = ReadPrefetch(root, limits, ref error);
        if (error is not null)
        {
            return null;
        }

        // A patientId may arrive as a reference ("Patient/123"); the context holds the bare id.
        var bareId = patientId!.StartsWith("Patient/", StringComparison.Ordinal) ? patientId["Patient/".Length..] : patientId;
        return new HookRequest(
            hook!,
            hookInstance!,
            fhirServer,
            authorization,
            new HookContext(userId!, bareId, encounterId, draftOrders.Clone()),
            prefetch);
    }

    private static Uri? OptionalFhirServer(JsonElement root, ref HookRequestError? error)
    {
        if (error is not null || !root.TryGetProperty("fhirServer", out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (value.ValueKind != JsonValueKind.String ||
            !Uri.TryCreate(value.GetString(), UriKind.Absolute, out var uri) ||
            (uri.Scheme != Uri.UriSchemeHttps && uri.Scheme != Uri.UriSchemeHttp))
        {
            error = Bad("invalid-fhir-server", "'fhirServer' must be an absolute http(s) URL", "fhirServer");
            return null;
        }

        // Plain http exposes the access token on the wire: only loopback (tests, a local sandbox) may use it.
        if (uri.Scheme == Uri.UriSchemeHttp && !uri.IsLoopback)
        {
            error = Bad("insecure-fhir-server", "'fhirServer' must use https (http is accepted only on loopback)", "fhirServer");
            return null;
        }

        return uri;
    }

    private static FhirAuthorization? OptionalAuthorization(JsonElement root, Uri? fhirServer, ref HookRequestError? error)
    {
        if (error is not null || !root.TryGetProperty("fhirAuthorization", out var auth) || auth.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (auth.ValueKind != JsonValueKind.Object)
        {
            error = Bad("invalid-fhir-authorization", "'fhirAuthorization' must be an object", "fhirAuthorization");
            return null;
        }

        if (fhirServer is null)
        {
            error = Bad("fhir-authorization-without-server", "'fhirAuthorization' was sent without 'fhirServer'", "fhirAuthorization");
            return null;
        }

        var token = RequiredString(auth, "access_token", "fhirAuthorization.access_token", ref error);
        var tokenType = RequiredString(auth, "token_type", "fhirAuthorization.token_type", ref error);
        var scope = OptionalString(auth, "scope", "fhirAuthorization.scope", ref error);
        var subject = OptionalString(auth, "subject", "fhirAuthorization.subject", ref error);
        if (error is not null)
        {
            return null;
        }

        // The token goes into an Authorization header: a control or non-ASCII character would fail there, after the fact.
        if (token!.Any(c => c is <= ' ' or > '~'))
        {
            error = Bad("invalid-access-token", "'fhirAuthorization.access_token' must be printable ASCII without spaces", "fhirAuthorization.access_token");
            return null;
        }

        if (!string.Equals(tokenType, "Bearer", StringComparison.OrdinalIgnoreCase))
        {
            error = Bad("invalid-token-type", "'fhirAuthorization.token_type' must be 'Bearer'", "fhirAuthorization.token_type");
            return null;
        }

        return new FhirAuthorization(token!, "Bearer", scope, subject);
    }

    private static Dictionary<string, JsonElement> ReadPrefetch(JsonElement root, HookOptions limits, ref HookRequestError? error)
    {
        var prefetch = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
        if (!root.TryGetProperty("prefetch", out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return prefetch;
        }

        if (value.ValueKind != JsonValueKind.Object)
        {
            error = Bad("invalid-prefetch", "'prefetch' must be an object of key → resource, Bundle or null", "prefetch");
            return prefetch;
        }

        foreach (var item in value.EnumerateObject())
        {
            if (item.Value.ValueKind == JsonValueKind.Object &&
                item.Value.TryGetProperty("entry", out var entries) && entries.ValueKind == JsonValueKind.Array &&
                entries.GetArrayLength() > limits.MaxBundleEntries)
            {
                error = Bad("too-many-entries", $"prefetch '{item.Name}' has more than {limits.MaxBundleEntries} entries", $"prefetch.{item.Name}.entry");
                return prefetch;
            }

            // Shapes other than resource/Bundle/null are kept: the record stage reports them per key.
            prefetch[item.Name] = item.Value.Clone();
        }

        return prefetch;
    }

    private static string? FhirResourceType(JsonElement element) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty("resourceType", out var t) && t.ValueKind == JsonValueKind.String
            ? t.GetString()
            : null;

    private static string? RequiredString(JsonElement parent, string name, string path, ref HookRequestError? error)
    {
        if (error is not null)
        {
            return null;
        }

        if (!parent.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            error = Bad($"missing-{ToKebab(name)}", $"'{path}' is required", path);
            return null;
        }

        if (value.ValueKind != JsonValueKind.String || string.IsNullOrWhiteSpace(value.GetString()))
        {
            error = Bad($"invalid-{ToKebab(name)}", $"'{path}' must be a non-empty string", path);
            return null;
        }

        return value.GetString();
    }

    private static string? OptionalString(JsonElement parent, string name, string path, ref HookRequestError? error)
    {
        if (error is not null || !parent.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (value.ValueKind != JsonValueKind.String)
        {
            error = Bad($"invalid-{ToKebab(name)}", $"'{path}' must be a string", path);
            return null;
        }

        return value.GetString();
    }

    private static string ToKebab(string name) =>
        string.Concat(name.Select((c, i) => char.IsUpper(c) && i > 0 ? "-" + char.ToLowerInvariant(c) : c == '_' ? "-" : char.ToLowerInvariant(c).ToString()));

    private static HookRequestError Bad(string code, string message, string path) => new(400, code, message, path);
}
