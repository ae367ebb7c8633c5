using ImagingCds.Fhir;
using ImagingCds.Hooks;
using ImagingCds.Record;

namespace ImagingCds.Facts;

/// <summary>
/// For each kind of coded element in the record, which value sets its codes belong to, so deriving a fact reads only
/// the resources that match (a few dictionary look-ups per coding, once per order), not every resource per fact.
/// </summary>
internal sealed class RecordIndex(PatientRecord record, DraftOrder order, Terminology terminology)
{
    private Matches<Condition>? _conditions;
    private Matches<Observation>? _observationCodes;
    private Matches<Observation>? _observationValues;
    private Matches<Procedure>? _procedures;
    private Matches<ServiceRequest>? _serviceRequests;
    private Matches<MedicationRequest>? _medicationRequests;
    private Matches<MedicationStatement>? _medicationStatements;
    private Matches<CodeableConcept>? _orderReasons;
    private Matches<ServiceRequest>? _siblings;

    public Matches<Condition> Conditions => _conditions ??= new(record.Conditions, c => c.Code, terminology);

    public Matches<Observation> ObservationCodes => _observationCodes ??= new(record.Observations, o => o.Code, terminology);

    public Matches<Observation> ObservationValues => _observationValues ??= new(record.Observations, o => o.ValueCodeableConcept, terminology);

    public Matches<Procedure> Procedures => _procedures ??= new(record.Procedures, p => p.Code, terminology);

    public Matches<ServiceRequest> ServiceRequests => _serviceRequests ??= new(record.ServiceRequests, s => s.Code, terminology);

    public Matches<MedicationRequest> MedicationRequests => _medicationRequests ??=
        new(record.MedicationRequests, m => FactDeriver.MedicationCode(m.MedicationCodeableConcept, m.MedicationReference, record), terminology);

    public Matches<MedicationStatement> MedicationStatements => _medicationStatements ??=
        new(record.MedicationStatements, m => FactDeriver.MedicationCode(m.MedicationCodeableConcept, m.MedicationReference, record), terminology);

    public Matches<CodeableConcept> OrderReasons => _orderReasons ??= new(order.Request.ReasonCode ?? [], r => r, terminology);

    public Matches<ServiceRequest> Siblings => _siblings ??= new(order.Siblings, s => s.Code, terminology);
}

/// <summary>Items of one kind by the value sets their codes belong to, with the first matching coding of each.</summary>
internal sealed class Matches<T>
    where T : class
{
    private readonly Dictionary<ValueSet, List<(int Position, Coding Coding)>> _bySet = new(ReferenceEqualityComparer.Instance);
    private readonly IReadOnlyList<T> _items;

    public Matches(IReadOnlyList<T> items, Func<T, CodeableConcept?> concept, Terminology terminology)
    {
        _items = items;
        for (var position = 0; position < items.Count; position++)
        {
            foreach (var coding in concept(items[position])?.Coding ?? [])
            {
                foreach (var set in terminology.SetsOf(coding.System, coding.Code))
                {
                    if (!_bySet.TryGetValue(set, out var list))
                    {
                        _bySet[set] = list = [];
                    }

                    // The first coding of an item that is in a set is the one shown as evidence.
                    if (list.Count == 0 || list[^1].Position != position)
                    {
                        list.Add((position, coding));
                    }
                }
            }
        }
    }

    /// <summary>Items with a coding in any of the sets, in record order, each once.</summary>
    public IEnumerable<(T Item, Coding Coding)> Matching(IReadOnlyList<ValueSet> sets) =>
        Positions(sets).Select(m => (_items[m.Position], m.Coding));

    /// <summary>Record positions (ascending, each once) of the items with a coding in any of the sets.</summary>
    public IReadOnlyList<(int Position, Coding Coding)> Positions(IReadOnlyList<ValueSet> sets)
    {
        if (sets.Count == 1)
        {
            return _bySet.TryGetValue(sets[0], out var only) ? only : [];
        }

        return sets.SelectMany(s => _bySet.TryGetValue(s, out var list) ? list : [])
            .OrderBy(m => m.Position)
            .DistinctBy(m => m.Position)
            .ToArray();
    }
}
