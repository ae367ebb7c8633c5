using System.Text.Json;
using System.Text.RegularExpressions;

namespace ImagingCds.Hooks;

/// <summary>
/// The discovery document (<c>cds-services.json</c>): served byte for byte at <c>GET /cds-services</c>,
/// and the single source of the service id, hook and prefetch templates.
/// </summary>
public sealed partial class ServiceCatalog
{
    public const string ServiceId = "spine-mri-appropriateness";

    /// <summary>Prefetch tokens CDS Hooks 2.0 defines for order-sign (https://cds-hooks.org/specification/current/#prefetch-tokens).</summary>
    private static readonly HashSet<string> AllowedTokens = new(StringComparer.Ordinal)
    {
        "context.userId", "context.patientId", "context.encounterId",
        "userPractitionerId", "userPractitionerRoleId", "userPatientId", "userRelatedPersonId",
    };

    private ServiceCatalog(byte[] document, IReadOnlyDictionary<string, string> prefetch)
    {
        Document = document;
        Prefetch = prefetch;
    }

    /// <summary>The file's bytes, served as is.</summary>
    public ReadOnlyMemory<byte> Document { get; }

    /// <summary>Prefetch key → FHIR query template of the spine MRI service.</summary>
    public IReadOnlyDictionary<string, string> Prefetch { get; }

    /// <summary>Loads and validates the file.</summary>
    /// <exception cref="InvalidOperationException">The file is missing or invalid; the message names the file and the problem.</exception>
    public static ServiceCatalog Load(string path)
    {
        if (!File.Exists(path))
        {
            throw new InvalidOperationException($"Discovery file '{path}' was not found.");
        }

        var bytes = File.ReadAllBytes(path);
        var problem = Validate(bytes, out var prefetch);
        return problem is null
            ? new ServiceCatalog(bytes, prefetch)
            : throw new InvalidOperationException($"Discovery file '{path}' is invalid: {problem}");
    }

    /// <summary>Returns the first problem with the document, or null when it is valid.</summary>
    internal static string? Validate(ReadOnlySpan<byte> bytes, out Dictionary<string, string> prefetch)
    {
        prefetch = new Dictionary<string, string>(StringComparer.Ordinal);
        JsonDocument document;
        try
        {
            // Parse (not ParseValue) so that anything after the document is an error too: the file is served as is.
            document = JsonDocument.Parse(bytes.ToArray());
        }
        catch (JsonException ex)
        {
            return $"not valid JSON (line {ex.LineNumber + 1}, byte {ex.BytePositionInLine + 1})";
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("services", out var services) ||
                services.ValueKind != JsonValueKind.Array)
            {
                return "it must be an object with a 'services' array";
            }

            JsonElement? service = null;
            var index = 0;
            foreach (var candidate in services.EnumerateArray())
            {
                if (candidate.ValueKind != JsonValueKind.Object)
                {
                    return $"services[{index}] must be an object";
                }

                foreach (var field in new[] { "id", "hook", "description" })
                {
                    if (!candidate.TryGetProperty(field, out var value) || value.ValueKind != JsonValueKind.String ||
                        string.IsNullOrWhiteSpace(value.GetString()))
                    {
                        return $"services[{index}].{field} must be a non-empty string";
                    }
                }

                if (candidate.GetProperty("id").GetString() == ServiceId)
                {
                    service = candidate;
                }

                index++;
            }

            if (service is not { } spine)
            {
                return $"no service has id '{ServiceId}'";
            }

            if (spine.GetProperty("hook").GetString() != HookRequestParser.OrderSign)
            {
                return $"service '{ServiceId}' must declare hook '{HookRequestParser.OrderSign}'";
            }

            if (!spine.TryGetProperty("prefetch", out var templates))
            {
                return null;
            }

            if (templates.ValueKind != JsonValueKind.Object)
            {
                return $"service '{ServiceId}': prefetch must be an object";
            }

            foreach (var template in templates.EnumerateObject())
            {
                if (template.Value.ValueKind != JsonValueKind.String || string.IsNullOrWhiteSpace(template.Value.GetString()))
                {
                    return $"prefetch '{template.Name}' must be a non-empty string";
                }

                var query = template.Value.GetString()!;
                foreach (Match token in TokenPattern().Matches(query))
                {
                    if (!AllowedTokens.Contains(token.Groups[1].Value))
                    {
                        return $"prefetch '{template.Name}' uses '{{{{{token.Groups[1].Value}}}}}', which is not a CDS Hooks 2.0 prefetch token for order-sign";
                    }
                }

                prefetch[template.Name] = query;
            }

            return null;
        }
    }

    [GeneratedRegex(@"\{\{\s*([^}\s]+)\s*\}\}")]
    private static partial Regex TokenPattern();
}
