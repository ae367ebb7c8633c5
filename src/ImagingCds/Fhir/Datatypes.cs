using System.Text.Json;
using System.Text.Json.Serialization;

namespace ImagingCds.Fhir;

// The FHIR R4 datatypes this service reads and writes (http://hl7.org/fhir/R4/datatypes.html).
// Every type keeps elements it does not model in Extra, so nothing is lost when it is written back.

/// <summary>Base of every modelled FHIR element: extensions and any element this layer does not name.</summary>
public abstract record FhirElement
{
    public string? Id { get; init; }

    public List<Extension>? Extension { get; init; }

    /// <summary>Elements not modelled here (including <c>_field</c> primitive extensions), kept verbatim.</summary>
    /// <remarks>
    /// <c>set</c>, not <c>init</c>: the source generator binds <c>init</c> properties like constructor
    /// parameters, which an extension data property cannot be (every read would throw).
    /// </remarks>
    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Extra { get; set; }
}

public sealed record Extension : FhirElement
{
    public string? Url { get; init; }
    public string? ValueString { get; init; }
    public string? ValueCode { get; init; }
    public string? ValueUri { get; init; }
    public bool? ValueBoolean { get; init; }
    public Coding? ValueCoding { get; init; }
    public CodeableConcept? ValueCodeableConcept { get; init; }
    public Reference? ValueReference { get; init; }
}

public sealed record Coding : FhirElement
{
    public string? System { get; init; }
    public string? Version { get; init; }
    public string? Code { get; init; }
    public string? Display { get; init; }
}

public sealed record CodeableConcept : FhirElement
{
    public List<Coding>? Coding { get; init; }
    public string? Text { get; init; }
}

public sealed record Reference : FhirElement
{
    [JsonPropertyName("reference")]
    public string? ReferenceText { get; init; }
    public string? Type { get; init; }
    public Identifier? Identifier { get; init; }
    public string? Display { get; init; }
}

public sealed record Identifier : FhirElement
{
    public string? System { get; init; }
    public string? Value { get; init; }
}

public sealed record Period : FhirElement
{
    public FhirDateTime? Start { get; init; }
    public FhirDateTime? End { get; init; }
}

/// <summary>Quantity, and its profiles Age, Duration and SimpleQuantity (same JSON shape).</summary>
public sealed record Quantity : FhirElement
{
    public decimal? Value { get; init; }
    public string? Comparator { get; init; }
    public string? Unit { get; init; }
    public string? System { get; init; }
    public string? Code { get; init; }
}

public sealed record FhirRange : FhirElement
{
    public Quantity? Low { get; init; }
    public Quantity? High { get; init; }
}

public sealed record Annotation : FhirElement
{
    public string? Text { get; init; }
    public FhirDateTime? Time { get; init; }
}

public sealed record Meta : FhirElement
{
    public string? VersionId { get; init; }
    public string? LastUpdated { get; init; }
    public List<string>? Profile { get; init; }
}
