using System.Text.Json;
using ImagingCds.Fhir;

namespace ImagingCds.Record;

/// <summary>
/// Collects resources from any source into one <see cref="PatientRecord"/>: reads them by type,
/// drops those about another patient, removes duplicates by type and id, and notes issues and gaps.
/// </summary>
/// <remarks>Not thread safe: each source fills its own builder slice and the assembler merges them in order.</remarks>
public sealed class RecordBuilder(string patientId)
{
    private readonly Dictionary<string, List<Resource>> _byType = new(StringComparer.Ordinal);
    private readonly HashSet<string> _seen = new(StringComparer.Ordinal);
    private readonly List<RecordGap> _gaps = [];
    private readonly List<FhirIssue> _issues = [];
    private readonly List<RecordSource> _sources = [];
    private int _foreign;

    public string PatientId { get; } = patientId;

    /// <summary>The resource types this builder has data for (possibly none of that type: an empty search still covers it).</summary>
    public HashSet<string> Covered { get; } = new(StringComparer.Ordinal);

    public void AddIssue(FhirIssue issue) => _issues.Add(issue);

    public void AddGap(RecordGap gap) => _gaps.Add(gap);

    /// <summary>
    /// Adds every resource in a JSON value that is a resource, a Bundle of resources, or a Bundle holding
    /// OperationOutcome entries (which become issues). Returns how many resources were kept.
    /// </summary>
    public int AddJson(JsonElement value, string location)
    {
        // Free for prefetch (the request parser already cloned each part); a copy for a page whose document is disposed.
        _sources.Add(new RecordSource(location, value.Clone()));
        return Read(value, location);
    }

    private int Read(JsonElement value, string location)
    {
        var type = FhirJson.ResourceTypeOf(value);
        if (type != "Bundle")
        {
            return AddResource(value, location) ? 1 : 0;
        }

        var kept = 0;
        if (!value.TryGetProperty("entry", out var entries) || entries.ValueKind != JsonValueKind.Array)
        {
            return kept;
        }

        var index = 0;
        foreach (var entry in entries.EnumerateArray())
        {
            var where = $"{location}.entry[{index++}]";
            if (entry.ValueKind == JsonValueKind.Object && entry.TryGetProperty("resource", out var resource))
            {
                kept += AddResource(resource, $"{where}.resource") ? 1 : 0;
            }
            else
            {
                AddIssue(new FhirIssue("entry-without-resource", where, "Bundle entry has no resource"));
            }
        }

        return kept;
    }

    private bool AddResource(JsonElement json, string location)
    {
        var resource = FhirJson.ReadResource(json, location, out var issue);
        if (issue is not null)
        {
            AddIssue(issue);
        }

        switch (resource)
        {
            case null:
                return false;
            case OperationOutcome outcome:
                foreach (var item in outcome.Issue ?? [])
                {
                    AddIssue(new FhirIssue($"operation-outcome-{item.Severity ?? "unknown"}", location, item.Code ?? "issue"));
                }

                return false;
            case Bundle nested:
                // A Bundle inside a Bundle (e.g. a batch-response): read its entries too.
                return Read(FhirJson.ToElement(nested), location) > 0;
        }

        if (!IsAboutPatient(resource))
        {
            _foreign++;
            return false;
        }

        if (resource.Id is { } id && !_seen.Add($"{resource.ResourceType}/{id}"))
        {
            return false;
        }

        if (!_byType.TryGetValue(resource.ResourceType!, out var list))
        {
            _byType[resource.ResourceType!] = list = [];
        }

        list.Add(resource);
        Covered.Add(resource.ResourceType!);
        return true;
    }

    /// <summary>True unless the resource names, through its patient reference, a different patient.</summary>
    /// <remarks>A resource with no literal patient reference is kept: a patient-scoped search returned it.</remarks>
    private bool IsAboutPatient(Resource resource)
    {
        var subject = resource switch
        {
            Patient p => p.Id is null ? null : $"Patient/{p.Id}",
            Coverage c => c.Beneficiary?.ReferenceText,
            Condition c => c.Subject?.ReferenceText,
            Procedure p => p.Subject?.ReferenceText,
            Observation o => o.Subject?.ReferenceText,
            ServiceRequest s => s.Subject?.ReferenceText,
            MedicationRequest m => m.Subject?.ReferenceText,
            MedicationStatement m => m.Subject?.ReferenceText,
            Encounter e => e.Subject?.ReferenceText,
            QuestionnaireResponse q => q.Subject?.ReferenceText,
            _ => null,
        };

        return PatientIdOf(subject) is not { } other || other == PatientId;
    }

    /// <summary>The patient id in a reference such as <c>Patient/1</c> or <c>https://x/fhir/Patient/1/_history/2</c>.</summary>
    internal static string? PatientIdOf(string? reference)
    {
        if (reference is null)
        {
            return null;
        }

        var parts = reference.Split('/');
        for (var i = parts.Length - 2; i >= 0; i--)
        {
            if (parts[i] == "Patient")
            {
                return parts[i + 1];
            }
        }

        return null;
    }

    /// <summary>Merges another builder's resources, issues and gaps into this one (duplicates dropped).</summary>
    public void Merge(RecordBuilder other)
    {
        ArgumentNullException.ThrowIfNull(other);
        foreach (var (type, list) in other._byType)
        {
            foreach (var resource in list)
            {
                if (resource.Id is { } id && !_seen.Add($"{type}/{id}"))
                {
                    continue;
                }

                if (!_byType.TryGetValue(type, out var mine))
                {
                    _byType[type] = mine = [];
                }

                mine.Add(resource);
            }
        }

        Covered.UnionWith(other.Covered);
        _gaps.AddRange(other._gaps);
        _issues.AddRange(other._issues);
        _sources.AddRange(other._sources);
        _foreign += other._foreign;
    }

    public PatientRecord Build() => new(
        PatientId,
        Of<Patient>("Patient").FirstOrDefault(p => p.Id == PatientId) ?? Of<Patient>("Patient").FirstOrDefault(),
        Of<Coverage>("Coverage"),
        Of<Condition>("Condition"),
        Of<Procedure>("Procedure"),
        Of<Observation>("Observation"),
        Of<ServiceRequest>("ServiceRequest"),
        Of<MedicationRequest>("MedicationRequest"),
        Of<MedicationStatement>("MedicationStatement"),
        Of<Medication>("Medication"),
        Of<Encounter>("Encounter"),
        Of<QuestionnaireResponse>("QuestionnaireResponse"),
        _gaps.ToArray(),
        _issues.ToArray(),
        _foreign)
    {
        Sources = _sources.ToArray(),
    };

    private T[] Of<T>(string type)
        where T : Resource =>
        _byType.TryGetValue(type, out var list) ? list.OfType<T>().ToArray() : [];
}
