using System.Collections;
using System.Collections.Concurrent;
using System.Reflection;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace ImagingCds.Fhir;

// The FHIR R4 datatypes this service reads and writes (http://hl7.org/fhir/R4/datatypes.html).
// Every type keeps elements it does not model in Extra, so nothing is lost when it is written back.

/// <summary>Base of every modelled FHIR element: extensions and any element this layer does not name.</summary>
public abstract record FhirElement : IJsonOnDeserialized
{
    public string? Id { get; init; }

    public List<Extension>? Extension { get; init; }

    /// <summary>Elements not modelled here (including <c>_field</c> primitive extensions), kept verbatim.</summary>
    /// <remarks>
    /// <c>set</c>, not <c>init</c>: the source generator binds <c>init</c> properties like constructor
    /// parameters, and an extension data property cannot be one (every read would throw).
    /// </remarks>
    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Extra { get; set; }

    /// <summary>The list properties of each element type whose items are elements (<c>coding</c>, <c>payor</c>, <c>item</c>, …).</summary>
    private static readonly ConcurrentDictionary<Type, PropertyInfo[]> ElementLists = new();

    /// <summary>
    /// FHIR JSON has no null elements (http://hl7.org/fhir/R4/json.html): a null inside a list of elements
    /// (<c>"coding": [null, {…}]</c>) is dropped, so no stage meets a null where the type says there is none; an
    /// unknown element sent as null is dropped, never echoed.
    /// </summary>
    void IJsonOnDeserialized.OnDeserialized()
    {
        foreach (var property in ElementLists.GetOrAdd(GetType(), ElementListsOf))
        {
            if (property.GetValue(this) is IList list)
            {
                for (var i = list.Count - 1; i >= 0; i--)
                {
                    if (list[i] is null)
                    {
                        list.RemoveAt(i);
                    }
                }
            }
        }

        if (Extra is not { } extra)
        {
            return;
        }

        foreach (var key in extra.Where(p => p.Value.ValueKind == JsonValueKind.Null).Select(p => p.Key).ToArray())
        {
            extra.Remove(key);
        }

        if (extra.Count == 0)
        {
            Extra = null;
        }
    }

    private static PropertyInfo[] ElementListsOf(Type type) =>
        type.GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => p.PropertyType.IsGenericType && p.PropertyType.GetGenericTypeDefinition() == typeof(List<>) &&
                        typeof(FhirElement).IsAssignableFrom(p.PropertyType.GetGenericArguments()[0]))
            .ToArray();
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
