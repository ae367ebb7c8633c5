namespace ImagingCds.Fhir;

// Documentation (Questionnaire / QuestionnaireResponse), Task, Bundle and OperationOutcome (FHIR R4).

public sealed record Questionnaire : Resource
{
    public string? Url { get; init; }
    public string? Version { get; init; }
    public string? Name { get; init; }
    public string? Title { get; init; }
    public string? Status { get; init; }
    public FhirDateTime? Date { get; init; }
    public string? Publisher { get; init; }
    public string? Description { get; init; }
    public List<string>? SubjectType { get; init; }
    public List<QuestionnaireItem>? Item { get; init; }
}

public sealed record QuestionnaireItem : FhirElement
{
    public string? LinkId { get; init; }
    public string? Definition { get; init; }
    public string? Prefix { get; init; }
    public string? Text { get; init; }
    public string? Type { get; init; }
    public List<QuestionnaireEnableWhen>? EnableWhen { get; init; }
    public string? EnableBehavior { get; init; }
    public bool? Required { get; init; }
    public bool? Repeats { get; init; }
    public List<QuestionnaireAnswerOption>? AnswerOption { get; init; }
    public List<QuestionnaireItem>? Item { get; init; }
}

public sealed record QuestionnaireEnableWhen : FhirElement
{
    public string? Question { get; init; }
    public string? Operator { get; init; }
    public bool? AnswerBoolean { get; init; }
    public Coding? AnswerCoding { get; init; }
    public string? AnswerString { get; init; }
}

public sealed record QuestionnaireAnswerOption : FhirElement
{
    public Coding? ValueCoding { get; init; }
    public string? ValueString { get; init; }
}

public sealed record QuestionnaireResponse : Resource
{
    public string? Questionnaire { get; init; }
    public string? Status { get; init; }
    public Reference? Subject { get; init; }
    public Reference? Encounter { get; init; }
    public FhirDateTime? Authored { get; init; }
    public Reference? Author { get; init; }
    public List<QuestionnaireResponseItem>? Item { get; init; }
}

public sealed record QuestionnaireResponseItem : FhirElement
{
    public string? LinkId { get; init; }
    public string? Text { get; init; }
    public List<QuestionnaireResponseAnswer>? Answer { get; init; }
    public List<QuestionnaireResponseItem>? Item { get; init; }
}

public sealed record QuestionnaireResponseAnswer : FhirElement
{
    public bool? ValueBoolean { get; init; }
    public decimal? ValueDecimal { get; init; }
    public int? ValueInteger { get; init; }
    public FhirDateTime? ValueDate { get; init; }
    public FhirDateTime? ValueDateTime { get; init; }
    public string? ValueString { get; init; }
    public Coding? ValueCoding { get; init; }
    public Quantity? ValueQuantity { get; init; }
    public List<QuestionnaireResponseItem>? Item { get; init; }
}

public sealed record FhirTask : Resource
{
    public string? Status { get; init; }
    public string? Intent { get; init; }
    public CodeableConcept? Code { get; init; }
    public string? Description { get; init; }
    public Reference? Focus { get; init; }
    public Reference? For { get; init; }
    public FhirDateTime? AuthoredOn { get; init; }
    public List<TaskInput>? Input { get; init; }
}

public sealed record TaskInput : FhirElement
{
    public CodeableConcept? Type { get; init; }
    public string? ValueCanonical { get; init; }
    public string? ValueString { get; init; }
    public Reference? ValueReference { get; init; }
}

public sealed record OperationOutcome : Resource
{
    public List<OperationOutcomeIssue>? Issue { get; init; }
}

public sealed record OperationOutcomeIssue : FhirElement
{
    public string? Severity { get; init; }
    public string? Code { get; init; }
    public CodeableConcept? Details { get; init; }
    public string? Diagnostics { get; init; }
    public List<string>? Expression { get; init; }
}

/// <summary>A Bundle; entry resources stay as JSON until <see cref="FhirJson"/> reads them by type.</summary>
public sealed record Bundle : Resource
{
    public string? Type { get; init; }
    public int? Total { get; init; }
    public List<BundleLink>? Link { get; init; }
    public List<BundleEntry>? Entry { get; init; }
}

public sealed record BundleLink : FhirElement
{
    public string? Relation { get; init; }
    public string? Url { get; init; }
}

public sealed record BundleEntry : FhirElement
{
    public string? FullUrl { get; init; }
    public System.Text.Json.JsonElement? Resource { get; init; }
    public BundleEntrySearch? Search { get; init; }
}

public sealed record BundleEntrySearch : FhirElement
{
    public string? Mode { get; init; }
}
