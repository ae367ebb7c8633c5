using System.Text.Json;

namespace ImagingCds.Tests.Support;

/// <summary>FHIR JSON text as a FHIR server sends it, built small: only the elements a test looks at.</summary>
internal static class SomeJson
{
    public static string Patient(string id) =>
        $$"""{"resourceType":"Patient","id":{{Quote(id)}},"gender":"female","birthDate":"1970-01-01"}""";

    /// <summary>
    /// A resource of <paramref name="type"/> about <paramref name="patientId"/> (through <c>beneficiary</c>
    /// for Coverage, <c>subject</c> otherwise); <paramref name="padding"/> adds that many characters of text.
    /// </summary>
    public static string Resource(string type, string id, string patientId, int padding = 0)
    {
        if (type == "Patient")
        {
            return Patient(id);
        }

        var reference = type == "Coverage" ? "beneficiary" : "subject";
        var text = padding == 0 ? string.Empty : $$""","code":{"text":{{Quote(new string('x', padding))}}}""";
        return $$"""{"resourceType":{{Quote(type)}},"id":{{Quote(id)}},"status":"active","{{reference}}":{"reference":{{Quote($"Patient/{patientId}")}}}{{text}}}""";
    }

    /// <summary><paramref name="count"/> resources of a type about a patient, with ids <c>{prefix}-{n}</c>.</summary>
    public static IEnumerable<string> Resources(string type, string patientId, int count, string prefix = "r", int padding = 0) =>
        Enumerable.Range(1, count).Select(n => Resource(type, $"{prefix}-{n}", patientId, padding));

    /// <summary>A searchset Bundle holding <paramref name="resources"/>, with a <c>next</c> link when given.</summary>
    public static string SearchSet(IEnumerable<string> resources, string? next = null)
    {
        var entries = string.Join(",", resources.Select(r => $$"""{"resource":{{r}}}"""));
        var links = next is null ? string.Empty : $$""","link":[{"relation":"next","url":{{Quote(next)}}}]""";
        return $$"""{"resourceType":"Bundle","type":"searchset"{{links}},"entry":[{{entries}}]}""";
    }

    private static string Quote(string value) => JsonSerializer.Serialize(value);
}
