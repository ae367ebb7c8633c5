using System.Text.Json;
using ImagingCds.Hooks;

namespace ImagingCds.Record;

/// <summary>What a data source needs to read one patient's record.</summary>
public sealed record RecordQuery(
    string PatientId,
    string UserId,
    string? EncounterId,
    IReadOnlyDictionary<string, JsonElement> Prefetch,
    Uri? FhirServer,
    FhirAuthorization? Authorization);

/// <summary>A place patient data comes from: the request's prefetch, or the EHR's FHIR server.</summary>
public interface IPatientDataSource
{
    /// <summary>Reads the wanted parts it can; the returned builder's <see cref="RecordBuilder.Covered"/> says which it supplied.</summary>
    ValueTask<RecordBuilder> ReadAsync(RecordQuery query, IReadOnlySet<string> wanted, CancellationToken cancellationToken);
}
