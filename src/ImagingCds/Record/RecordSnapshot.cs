using System.Runtime.InteropServices;
using System.Text.Json;
using ImagingCds.Fhir;

namespace ImagingCds.Record;

/// <summary>One JSON value a record was read from (a prefetch part, a page of a search).</summary>
/// <param name="Location">Where it came from, as the record's issues name it (<c>prefetch.conditions</c>, <c>Condition /fhir/Condition</c>).</param>
/// <param name="Json">The value, independent of any document the caller disposes.</param>
public sealed record RecordSource(string Location, JsonElement Json);

/// <summary>A <see cref="RecordSource"/> as raw UTF-8 bytes: no parsed structure kept.</summary>
public sealed record RecordSourceBytes(string Location, byte[] Json);

/// <summary>
/// A patient record kept as the JSON it was read from instead of as objects: about a third of the memory, in a few
/// byte arrays the garbage collector never has to trace. For records that outlive the hook call (documentation
/// forms). Restoring replays the same reads in the same order, so the record comes back the same.
/// </summary>
public sealed record RecordSnapshot(string PatientId, IReadOnlyList<RecordSourceBytes> Sources, IReadOnlyList<RecordGap> Gaps, int ResourceCount)
{
    // The sources were parsed once already within the request's limits; this only has to accept what they accepted.
    private const int MaxDepth = 256;

    /// <summary>Bytes of JSON held.</summary>
    public long Bytes => Sources.Sum(s => (long)s.Json.Length);

    public static RecordSnapshot Of(PatientRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        var sources = record.Sources.Select(s => new RecordSourceBytes(s.Location, JsonMarshal.GetRawUtf8Value(s.Json).ToArray())).ToArray();
        return new RecordSnapshot(record.PatientId, sources, record.Gaps, record.ResourceCount);
    }

    public PatientRecord Restore()
    {
        var builder = new RecordBuilder(PatientId);
        foreach (var source in Sources)
        {
            using var document = JsonDocument.Parse(source.Json, StrictJson.Options(MaxDepth));
            builder.AddJson(document.RootElement, source.Location);
        }

        return builder.Build() with { Gaps = Gaps };
    }
}
