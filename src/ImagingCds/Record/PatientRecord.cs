using ImagingCds.Fhir;

namespace ImagingCds.Record;

/// <summary>Why a part of the record (one resource type) is missing or incomplete.</summary>
public enum GapReason
{
    /// <summary>Neither prefetch nor a FHIR server supplied it.</summary>
    NotProvided,

    /// <summary>The FHIR server refused the token (401/403).</summary>
    Unauthorized,

    /// <summary>The FHIR server answered with an error status after retries.</summary>
    ServerError,

    /// <summary>The record's time budget ran out before the part arrived.</summary>
    Timeout,

    /// <summary>The FHIR server's circuit is open after repeated failures; it was not asked.</summary>
    CircuitOpen,

    /// <summary>The server or the prefetch value sent something that is not FHIR JSON of the expected type.</summary>
    Malformed,

    /// <summary>Page or resource caps were reached; what arrived is kept but more exists.</summary>
    Truncated,
}

/// <summary>One part of the record that is missing or incomplete, and why.</summary>
/// <param name="ResourceType">The resource type of the part, e.g. <c>Observation</c>.</param>
/// <param name="Detail">Plain words for a card or a log; never holds PHI or tokens.</param>
public sealed record RecordGap(string ResourceType, GapReason Reason, string Detail)
{
    /// <summary>True when the part is missing because something failed, not because nobody sent it.</summary>
    public bool IsFailure => Reason is not (GapReason.NotProvided or GapReason.Truncated);
}

/// <summary>
/// Everything known about the patient for one hook call: resources by type, plus what is missing and why.
/// </summary>
/// <remarks>Every resource here is about <see cref="PatientId"/>; resources about another patient were dropped and counted.</remarks>
public sealed record PatientRecord(
    string PatientId,
    Patient? Patient,
    IReadOnlyList<Coverage> Coverages,
    IReadOnlyList<Condition> Conditions,
    IReadOnlyList<Procedure> Procedures,
    IReadOnlyList<Observation> Observations,
    IReadOnlyList<ServiceRequest> ServiceRequests,
    IReadOnlyList<MedicationRequest> MedicationRequests,
    IReadOnlyList<MedicationStatement> MedicationStatements,
    IReadOnlyList<Medication> Medications,
    IReadOnlyList<Encounter> Encounters,
    IReadOnlyList<QuestionnaireResponse> QuestionnaireResponses,
    IReadOnlyList<RecordGap> Gaps,
    IReadOnlyList<FhirIssue> Issues,
    int ForeignResourcesDropped)
{
    /// <summary>The JSON values the record was read from, in order, so it can be kept compactly and read again (<see cref="RecordSnapshot"/>).</summary>
    public IReadOnlyList<RecordSource> Sources { get; init; } = [];

    public int ResourceCount =>
        (Patient is null ? 0 : 1) + Coverages.Count + Conditions.Count + Procedures.Count + Observations.Count +
        ServiceRequests.Count + MedicationRequests.Count + MedicationStatements.Count + Medications.Count +
        Encounters.Count + QuestionnaireResponses.Count;
}
