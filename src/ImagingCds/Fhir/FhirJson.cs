using System.Text.Json;
using System.Text.Json.Serialization;

namespace ImagingCds.Fhir;

/// <summary>A problem found in FHIR data: a stable code, where it was, and what was wrong.</summary>
/// <param name="Code">Stable machine code, e.g. <c>malformed-resource</c>.</param>
/// <param name="Location">Where: a prefetch key, a URL or an element path.</param>
/// <param name="Message">What was wrong, for a log or an integrator; never holds resource contents.</param>
public sealed record FhirIssue(string Code, string Location, string Message);

/// <summary>Reads and writes FHIR R4 JSON for the modelled resources (source generated).</summary>
/// <remarks>
/// Unknown elements are kept (<see cref="FhirElement.Extra"/>); nulls are never written.
/// Reading is lenient per resource: one malformed resource becomes a <see cref="FhirIssue"/> and
/// the rest of its Bundle still reads.
/// </remarks>
public static class FhirJson
{
    /// <summary>The resource types the patient record is built from, by their FHIR name.</summary>
    private static readonly Dictionary<string, Func<JsonElement, Resource?>> Readers = new(StringComparer.Ordinal)
    {
        ["Patient"] = e => e.Deserialize(FhirJsonContext.Default.Patient),
        ["Coverage"] = e => e.Deserialize(FhirJsonContext.Default.Coverage),
        ["Condition"] = e => e.Deserialize(FhirJsonContext.Default.Condition),
        ["Procedure"] = e => e.Deserialize(FhirJsonContext.Default.Procedure),
        ["Observation"] = e => e.Deserialize(FhirJsonContext.Default.Observation),
        ["ServiceRequest"] = e => e.Deserialize(FhirJsonContext.Default.ServiceRequest),
        ["MedicationRequest"] = e => e.Deserialize(FhirJsonContext.Default.MedicationRequest),
        ["MedicationStatement"] = e => e.Deserialize(FhirJsonContext.Default.MedicationStatement),
        ["Medication"] = e => e.Deserialize(FhirJsonContext.Default.Medication),
        ["Encounter"] = e => e.Deserialize(FhirJsonContext.Default.Encounter),
        ["QuestionnaireResponse"] = e => e.Deserialize(FhirJsonContext.Default.QuestionnaireResponse),
        ["Questionnaire"] = e => e.Deserialize(FhirJsonContext.Default.Questionnaire),
        ["Task"] = e => e.Deserialize(FhirJsonContext.Default.FhirTask),
        ["OperationOutcome"] = e => e.Deserialize(FhirJsonContext.Default.OperationOutcome),
        ["Bundle"] = e => e.Deserialize(FhirJsonContext.Default.Bundle),
    };

    /// <summary>The <c>resourceType</c> of a JSON object, or null when there is none.</summary>
    public static string? ResourceTypeOf(JsonElement element) =>
        element.ValueKind == JsonValueKind.Object &&
        element.TryGetProperty("resourceType", out var type) &&
        type.ValueKind == JsonValueKind.String
            ? type.GetString()
            : null;

    /// <summary>Reads one resource of a modelled type.</summary>
    /// <returns>The resource, or null with an issue saying why (not an object, unknown type, malformed element).</returns>
    public static Resource? ReadResource(JsonElement element, string location, out FhirIssue? issue)
    {
        issue = null;
        var type = ResourceTypeOf(element);
        if (type is null)
        {
            issue = new FhirIssue("not-a-resource", location, "expected a JSON object with a string 'resourceType'");
            return null;
        }

        if (!Readers.TryGetValue(type, out var read))
        {
            issue = new FhirIssue("unsupported-resource-type", location, $"resourceType '{type}' is not read by this service");
            return null;
        }

        try
        {
            return read(element);
        }
        catch (JsonException ex)
        {
            // The path names the element; the message never repeats the value (it may be PHI).
            issue = new FhirIssue("malformed-resource", $"{location}{TrimRoot(ex.Path)}", $"{type}: an element has the wrong JSON type");
            return null;
        }
    }

    /// <summary>Parses a Bundle; entries stay as JSON until read with <see cref="ReadResource"/>.</summary>
    /// <returns>The Bundle, or null with an issue saying why (including a valid resource of another type).</returns>
    public static Bundle? ReadBundle(JsonElement element, string location, out FhirIssue? issue)
    {
        var resource = ReadResource(element, location, out issue);
        if (resource is null or Bundle)
        {
            return resource as Bundle;
        }

        issue = new FhirIssue("not-a-bundle", location, $"expected a Bundle, got resourceType '{resource.ResourceType}'");
        return null;
    }

    // The runtime type, not T: a caller holding a Resource still writes every element of its Condition.
    public static JsonElement ToElement<T>(T resource)
        where T : Resource
    {
        ArgumentNullException.ThrowIfNull(resource);
        return JsonSerializer.SerializeToElement(resource, resource.GetType(), FhirJsonContext.Default);
    }

    public static string Serialize<T>(T resource)
        where T : Resource
    {
        ArgumentNullException.ThrowIfNull(resource);
        return JsonSerializer.Serialize(resource, resource.GetType(), FhirJsonContext.Default);
    }

    private static string TrimRoot(string? path) => path is null ? string.Empty : path.TrimStart('$');
}

[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    NumberHandling = JsonNumberHandling.Strict)]
[JsonSerializable(typeof(Patient))]
[JsonSerializable(typeof(Coverage))]
[JsonSerializable(typeof(Condition))]
[JsonSerializable(typeof(Procedure))]
[JsonSerializable(typeof(Observation))]
[JsonSerializable(typeof(ServiceRequest))]
[JsonSerializable(typeof(MedicationRequest))]
[JsonSerializable(typeof(MedicationStatement))]
[JsonSerializable(typeof(Medication))]
[JsonSerializable(typeof(Encounter))]
[JsonSerializable(typeof(QuestionnaireResponse))]
[JsonSerializable(typeof(Questionnaire))]
[JsonSerializable(typeof(FhirTask))]
[JsonSerializable(typeof(OperationOutcome))]
[JsonSerializable(typeof(Bundle))]
internal sealed partial class FhirJsonContext : JsonSerializerContext;
