namespace ImagingCds.Facts;

/// <summary>A clinician's answer to a documentation prompt, keyed by the prompt's linkId.</summary>
public sealed record Answer(Truth Truth, Evidence Evidence, decimal? Number);

/// <summary>
/// All facts for one order: derived values by fact id (computed on first use), attested answers by linkId, and the
/// day windows are measured from.
/// </summary>
/// <remarks>Not thread safe: one evaluation uses it at a time. Only the facts a policy asks for are ever derived.</remarks>
public sealed class FactSet
{
    private readonly Dictionary<string, FactValue> _values;
    private readonly Func<string, FactValue?>? _derive;

    /// <summary>Facts given up front (tests, replays of stored facts).</summary>
    public FactSet(IReadOnlyDictionary<string, FactValue> values, IReadOnlyDictionary<string, Answer> answers, DateOnly evaluationDate, string? region)
        : this((Func<string, FactValue?>?)null, answers, evaluationDate, region)
    {
        ArgumentNullException.ThrowIfNull(values);
        _values = new Dictionary<string, FactValue>(values, StringComparer.Ordinal);
    }

    /// <summary>Facts derived on demand by <paramref name="derive"/> (null for an id it does not know) and then kept.</summary>
    public FactSet(Func<string, FactValue?>? derive, IReadOnlyDictionary<string, Answer> answers, DateOnly evaluationDate, string? region)
    {
        _values = new Dictionary<string, FactValue>(StringComparer.Ordinal);
        _derive = derive;
        Answers = answers;
        EvaluationDate = evaluationDate;
        Region = region;
    }

    public IReadOnlyDictionary<string, Answer> Answers { get; }

    /// <summary>The order's <c>authoredOn</c> day, else today (DESIGN.md "Evaluation date").</summary>
    public DateOnly EvaluationDate { get; }

    /// <summary>The ordered study's region (cervical, thoracic, lumbar), or null when the CPT has none.</summary>
    public string? Region { get; }

    public FactValue Get(string id)
    {
        if (_values.TryGetValue(id, out var value))
        {
            return value;
        }

        value = _derive?.Invoke(id) ?? FactValue.None(id);
        _values[id] = value;
        return value;
    }
}
