using System.Text.Json.Serialization;

namespace ImagingCds.Fhir;

// The clinical and administrative resources the patient record is built from (FHIR R4).
// Only the elements that facts use are named; everything else stays in Extra.

/// <summary>Base of every modelled FHIR resource.</summary>
public abstract record Resource : FhirElement
{
    public string? ResourceType { get; init; }
    public Meta? Meta { get; init; }

    /// <summary>A relative reference to this resource, e.g. <c>Condition/123</c>.</summary>
    [JsonIgnore]
    public string Reference => $"{ResourceType}/{Id}";
}

public sealed record Patient : Resource
{
    public FhirDateTime? BirthDate { get; init; }
    public string? Gender { get; init; }
    public bool? DeceasedBoolean { get; init; }
    public FhirDateTime? DeceasedDateTime { get; init; }
}

public sealed record Coverage : Resource
{
    public string? Status { get; init; }
    public CodeableConcept? Type { get; init; }
    public Reference? Beneficiary { get; init; }
    public List<Reference>? Payor { get; init; }
    public Period? Period { get; init; }
}

public sealed record Condition : Resource
{
    public CodeableConcept? ClinicalStatus { get; init; }
    public CodeableConcept? VerificationStatus { get; init; }
    public List<CodeableConcept>? Category { get; init; }
    public CodeableConcept? Code { get; init; }
    public List<CodeableConcept>? BodySite { get; init; }
    public Reference? Subject { get; init; }
    public FhirDateTime? OnsetDateTime { get; init; }
    public Period? OnsetPeriod { get; init; }
    public Quantity? OnsetAge { get; init; }
    public string? OnsetString { get; init; }
    public FhirDateTime? AbatementDateTime { get; init; }
    public Period? AbatementPeriod { get; init; }
    public bool? AbatementBoolean { get; init; }
    public FhirDateTime? RecordedDate { get; init; }
    public List<Annotation>? Note { get; init; }
}

public sealed record Procedure : Resource
{
    public string? Status { get; init; }
    public CodeableConcept? StatusReason { get; init; }
    public CodeableConcept? Category { get; init; }
    public CodeableConcept? Code { get; init; }
    public Reference? Subject { get; init; }
    public FhirDateTime? PerformedDateTime { get; init; }
    public Period? PerformedPeriod { get; init; }
    public string? PerformedString { get; init; }
    public List<CodeableConcept>? ReasonCode { get; init; }
    public List<CodeableConcept>? BodySite { get; init; }
    public List<Annotation>? Note { get; init; }
}

public sealed record ReferenceRange : FhirElement
{
    public Quantity? Low { get; init; }
    public Quantity? High { get; init; }
    public string? Text { get; init; }
}

public sealed record ObservationComponent : FhirElement
{
    public CodeableConcept? Code { get; init; }
    public Quantity? ValueQuantity { get; init; }
    public CodeableConcept? ValueCodeableConcept { get; init; }
    public string? ValueString { get; init; }
    public bool? ValueBoolean { get; init; }
    public int? ValueInteger { get; init; }
    public List<CodeableConcept>? Interpretation { get; init; }
}

public sealed record Observation : Resource
{
    public string? Status { get; init; }
    public List<CodeableConcept>? Category { get; init; }
    public CodeableConcept? Code { get; init; }
    public Reference? Subject { get; init; }
    public FhirDateTime? EffectiveDateTime { get; init; }
    public Period? EffectivePeriod { get; init; }
    public FhirDateTime? EffectiveInstant { get; init; }
    public FhirDateTime? Issued { get; init; }
    public Quantity? ValueQuantity { get; init; }
    public CodeableConcept? ValueCodeableConcept { get; init; }
    public string? ValueString { get; init; }
    public bool? ValueBoolean { get; init; }
    public int? ValueInteger { get; init; }
    public FhirRange? ValueRange { get; init; }
    public FhirDateTime? ValueDateTime { get; init; }
    public CodeableConcept? DataAbsentReason { get; init; }
    public List<CodeableConcept>? Interpretation { get; init; }
    public List<ReferenceRange>? ReferenceRange { get; init; }
    public CodeableConcept? BodySite { get; init; }
    public List<ObservationComponent>? Component { get; init; }
}

public sealed record ServiceRequest : Resource
{
    public string? Status { get; init; }
    public string? Intent { get; init; }
    public List<CodeableConcept>? Category { get; init; }
    public CodeableConcept? Code { get; init; }
    public Reference? Subject { get; init; }
    public Reference? Encounter { get; init; }
    public FhirDateTime? OccurrenceDateTime { get; init; }
    public Period? OccurrencePeriod { get; init; }
    public FhirDateTime? AuthoredOn { get; init; }
    public Reference? Requester { get; init; }
    public List<CodeableConcept>? ReasonCode { get; init; }
    public List<Reference>? ReasonReference { get; init; }
    public List<CodeableConcept>? BodySite { get; init; }
    public List<Annotation>? Note { get; init; }
}

public sealed record DispenseRequest : FhirElement
{
    public Period? ValidityPeriod { get; init; }
    public Quantity? ExpectedSupplyDuration { get; init; }
    public int? NumberOfRepeatsAllowed { get; init; }
}

public sealed record MedicationRequest : Resource
{
    public string? Status { get; init; }
    public string? Intent { get; init; }
    public CodeableConcept? MedicationCodeableConcept { get; init; }
    public Reference? MedicationReference { get; init; }
    public Reference? Subject { get; init; }
    public FhirDateTime? AuthoredOn { get; init; }
    public List<CodeableConcept>? ReasonCode { get; init; }
    public DispenseRequest? DispenseRequest { get; init; }
}

public sealed record MedicationStatement : Resource
{
    public string? Status { get; init; }
    public CodeableConcept? MedicationCodeableConcept { get; init; }
    public Reference? MedicationReference { get; init; }
    public Reference? Subject { get; init; }
    public FhirDateTime? EffectiveDateTime { get; init; }
    public Period? EffectivePeriod { get; init; }
    public FhirDateTime? DateAsserted { get; init; }
    public List<CodeableConcept>? ReasonCode { get; init; }
}

/// <summary>A Medication resource, read only to resolve <c>medicationReference</c> codes.</summary>
public sealed record Medication : Resource
{
    public CodeableConcept? Code { get; init; }
}

public sealed record Encounter : Resource
{
    public string? Status { get; init; }

    [JsonPropertyName("class")]
    public Coding? Class { get; init; }

    public List<CodeableConcept>? Type { get; init; }
    public CodeableConcept? ServiceType { get; init; }
    public Reference? Subject { get; init; }
    public Period? Period { get; init; }
    public List<CodeableConcept>? ReasonCode { get; init; }
}
