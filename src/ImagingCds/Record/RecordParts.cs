namespace ImagingCds.Record;

/// <summary>The parts a patient record is assembled from, one per FHIR resource type.</summary>
public static class RecordParts
{
    /// <summary>The resource types that make up a record, in the order queries are started.</summary>
    public static readonly IReadOnlyList<string> All =
    [
        "Patient", "Coverage", "Condition", "Procedure", "Observation", "ServiceRequest",
        "MedicationRequest", "MedicationStatement", "Encounter", "QuestionnaireResponse",
    ];

    /// <summary>The resource type a FHIR query template reads: <c>Condition?patient=…</c> → <c>Condition</c>.</summary>
    public static string? ResourceTypeOfQuery(string query)
    {
        var path = query.Split('?', 2)[0].TrimStart('/');
        var type = path.Split('/', 2)[0];
        return All.Contains(type) ? type : null;
    }
}
