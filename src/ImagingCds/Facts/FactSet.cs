namespace ImagingCds.Facts;

/// <summary>A clinician's answer to a documentation prompt, keyed by the prompt's linkId.</summary>
public sealed record Answer(Truth Truth, Evidence Evidence, decimal? Number);

/// <summary>
/// All facts for one order: derived values by fact id, attested answers by linkId, and the day windows are measured from.
/// </summary>
public sealed class FactSet(
    IReadOnlyDictionary<string, FactValue> values,
    IReadOnlyDictionary<string, Answer> answers,
    DateOnly evaluationDate,
    string? region)
{
    public IReadOnlyDictionary<string, FactValue> Values { get; } = values;

    public IReadOnlyDictionary<string, Answer> Answers { get; } = answers;

    /// <summary>The order's <c>authoredOn</c> day, else today (DESIGN.md "Evaluation date").</summary>
    public DateOnly EvaluationDate { get; } = evaluationDate;

    /// <summary>The ordered study's region (cervical, thoracic, lumbar), or null when the CPT has none.</summary>
    public string? Region { get; } = region;

    public FactValue Get(string id) => Values.TryGetValue(id, out var value) ? value : FactValue.None(id);
}
