namespace ImagingCds.Record;

/// <summary>
/// Assembles the patient record: prefetch first, then the FHIR server for whatever prefetch did not cover.
/// </summary>
public sealed class PatientRecordAssembler(PrefetchSource prefetch, FhirServerSource fhirServer)
{
    /// <summary>Builds the record, or returns null when there is nothing to read: no prefetch part and no FHIR server (HTTP 412).</summary>
    public async Task<PatientRecord?> AssembleAsync(RecordQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        var wanted = new HashSet<string>(RecordParts.All, StringComparer.Ordinal);
        var record = new RecordBuilder(query.PatientId);
        foreach (var source in new IPatientDataSource[] { prefetch, fhirServer })
        {
            if (wanted.Count == 0)
            {
                break;
            }

            var slice = await source.ReadAsync(query, wanted, cancellationToken);
            record.Merge(slice);
            wanted.ExceptWith(slice.Covered);
        }

        if (record.Covered.Count == 0 && query.FhirServer is null)
        {
            return null;
        }

        var built = record.Build();
        var explained = built.Gaps.Select(g => g.ResourceType).ToHashSet(StringComparer.Ordinal);
        var unexplained = wanted.Where(type => !explained.Contains(type))
            .Select(type => new RecordGap(type, GapReason.NotProvided, "not in prefetch and no FHIR server to ask"))
            .ToArray();
        return unexplained.Length == 0 ? built : built with { Gaps = [.. built.Gaps, .. unexplained] };
    }
}
