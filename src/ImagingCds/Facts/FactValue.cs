namespace ImagingCds.Facts;

/// <summary>Where a fact came from: the resource, what it says, its code and date, so a card can say why.</summary>
/// <param name="Reference">The resource, e.g. <c>Condition/123</c>, or <c>QuestionnaireResponse/9#fact-id</c> for an answer.</param>
/// <param name="What">Its display text (the coding's display or the concept's text).</param>
/// <param name="System">Short code system name (ICD-10-CM, SNOMED CT, CPT, LOINC, RxNorm, HCPCS) or null.</param>
/// <param name="Date">The clinically relevant date as recorded (onset, performed, authored), or null.</param>
/// <param name="Attested">True when a clinician answered a documentation prompt rather than the chart showing it.</param>
public sealed record Evidence(string Reference, string What, string? System, string? Code, string? Date, bool Attested = false);

/// <summary>
/// One documented occurrence behind a fact: a condition, a procedure, a course of medication, an answer.
/// </summary>
/// <param name="Positive">False for a documented negative (refuted condition, procedure not done, a "no" answer).</param>
/// <param name="Start">First day it covers; null when the record gives no date.</param>
/// <param name="End">Last day it covers (inclusive); equal to <paramref name="Start"/> for a single-day event.</param>
/// <param name="Suspected">A provisional or differential diagnosis, not a confirmed one.</param>
/// <param name="Number">A measured value (lab result, pain score, answered number), when the fact is numeric.</param>
public sealed record Occurrence(
    bool Positive,
    DateOnly? Start,
    DateOnly? End,
    Evidence Evidence,
    bool Suspected = false,
    decimal? Number = null,
    string? Choice = null);

/// <summary>Everything the record documents about one fact.</summary>
/// <remarks>
/// A fact with no occurrences is not documented (<see cref="Truth.Unknown"/>). Exact values (age, sex, the
/// ordered region) come from the patient and the order and are never unknown once those are present.
/// </remarks>
public sealed record FactValue(string FactId, IReadOnlyList<Occurrence> Occurrences)
{
    public static FactValue None(string factId) => new(factId, []);

    /// <summary>True if any positive occurrence, false if only negatives, unknown if none.</summary>
    public Truth Presence =>
        Occurrences.Any(o => o.Positive) ? Truth.True :
        Occurrences.Count > 0 ? Truth.False : Truth.Unknown;
}
