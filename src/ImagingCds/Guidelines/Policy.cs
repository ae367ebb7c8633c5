namespace ImagingCds.Guidelines;

/// <summary>A payer policy as data: what it governs, its named definitions and its rules.</summary>
public sealed record Policy(
    string Id,
    string Payer,
    string Title,
    string Version,
    string Effective,
    string Source,
    IReadOnlySet<string> Cpt,
    IReadOnlyDictionary<string, Definition> Definitions,
    IReadOnlyList<Rule> Rules,
    string File);

/// <summary>A policy's own meaning of a term ("conservative treatment", "red flag"), reused by its rules.</summary>
public sealed record Definition(string Id, string Title, string Section, Predicate When, string? Note)
{
    /// <summary>The finer sections of the source this definition encodes, for the coverage report.</summary>
    public IReadOnlyList<string> Covers { get; init; } = [];
}

public enum RuleKind
{
    /// <summary>Makes the study appropriate when the record shows it.</summary>
    Indication,

    /// <summary>Makes the study not appropriate when its trigger is documented and none of its exceptions is.</summary>
    Exclusion,
}

/// <summary>One criterion of a policy, with the section of the source it encodes.</summary>
/// <param name="Regions">Order regions it applies to; empty means every region the policy governs.</param>
/// <param name="Unless">Exceptions of an exclusion: any one documented lifts it.</param>
/// <param name="DefersTo">A guideline not among the seeds that decides this case (e.g. ONC-31.6): never approved from the record, always prompted.</param>
public sealed record Rule(
    string Id,
    RuleKind Kind,
    string Title,
    string Section,
    IReadOnlyList<string> Regions,
    Predicate When,
    IReadOnlyList<Predicate> Unless,
    string? DefersTo,
    string? Note,
    long Line)
{
    /// <summary>The finer sections of the source this rule encodes (ids of <c>guidelines/sections/</c>), for the coverage report.</summary>
    public IReadOnlyList<string> Covers { get; init; } = [];

    /// <summary>A better order the policy names when this rule decides (e.g. the non-contrast study), or null.</summary>
    public OrderSuggestion? Suggest { get; init; }

    /// <summary>How the rule is cited in verdicts: its section and title.</summary>
    public string Citation => $"{Section} {Title}";
}

/// <summary>
/// An order the policy prefers: the same study with another contrast, other regions, or a different study first
/// (e.g. an x-ray). The card offers it as an update of the draft order (first region) and creates (others).
/// </summary>
/// <param name="Contrast">Re-code the MRI to this contrast (without, with, without-and-with).</param>
/// <param name="Regions">Order the MRI of these regions instead (same contrast unless <paramref name="Contrast"/> is set).</param>
/// <param name="Code">Order this study first instead, as <c>system|code|display</c> (e.g. <c>cpt|72070|X-ray thoracic spine, 2 views</c>).</param>
public sealed record OrderSuggestion(string Label, string? Contrast, IReadOnlyList<string> Regions, string? Code, bool Recommended);

/// <summary>A closed set of typed conditions over facts (deserialized from the policy files).</summary>
public abstract record Predicate;

public sealed record AllOf(IReadOnlyList<Predicate> Items) : Predicate;

public sealed record AnyOf(IReadOnlyList<Predicate> Items) : Predicate;

public sealed record NotOf(Predicate Item) : Predicate;

/// <summary>At least <paramref name="Count"/> of the items hold.</summary>
public sealed record AtLeastOf(int Count, IReadOnlyList<Predicate> Items) : Predicate;

/// <summary>A named definition of the same policy.</summary>
public sealed record DefinitionRef(string Name) : Predicate;

/// <summary>A test of one fact, with an optional time window and comparison.</summary>
/// <param name="Fact">Fact id; <c>{region}</c> stands for the ordered study's region.</param>
/// <param name="Within">Only occurrences overlapping the window that ends on the evaluation date (its first day included).</param>
/// <param name="OlderThan">Only occurrences that began on or before the evaluation date minus this span (e.g. symptoms for 6 weeks).</param>
/// <param name="After">Only occurrences that began after the latest documented occurrence of this other fact.</param>
/// <param name="Compare">A numeric comparison of the fact's value (age, a score), if any.</param>
/// <param name="In">The fact's choice is one of these (order region, contrast, sex).</param>
/// <param name="WeeksAtLeast">The longest continuous course (gaps of up to 14 days bridged) lasts at least this many weeks.</param>
/// <param name="CountAtLeast">At least this many distinct occurrences.</param>
public sealed record FactTest(
    string Fact,
    Span? Within,
    Span? OlderThan,
    string? After,
    Comparison? Compare,
    IReadOnlyList<string> In,
    int? WeeksAtLeast,
    int? CountAtLeast) : Predicate
{
    /// <summary>A canonical key: a documentation prompt's linkId, so an answer decides exactly this test.</summary>
    public string Key { get; init; } = Fact;

    /// <summary>Only occurrences that began on or after the latest documented occurrence of this other fact (same day counts).</summary>
    public string? Since { get; init; }

    /// <summary>Only occurrences that began inside the window ending on the evaluation date (not merely overlapping it).</summary>
    public Span? StartsWithin { get; init; }

    /// <summary>
    /// When false, the test asks the opposite question of the record: true when no positive occurrence (in the window)
    /// is documented, false when one is. For negative qualifiers such as "without trauma" or "no MRI in 2 years".
    /// </summary>
    public bool Documented { get; init; } = true;
}

public enum Relation { Ge, Gt, Le, Lt, Eq }

public sealed record Comparison(Relation Relation, decimal Value);

/// <summary>A calendar span such as <c>6 weeks</c>, <c>3 months</c>, <c>1 year</c>, <c>90 days</c>.</summary>
public sealed record Span(int Amount, string Unit)
{
    /// <summary>The first day of a window of this span that ends on <paramref name="end"/> (months and years are calendar months and years).</summary>
    public DateOnly StartBefore(DateOnly end) => Unit switch
    {
        "day" => end.AddDays(-Amount),
        "week" => end.AddDays(-7 * Amount),
        "month" => end.AddMonths(-Amount),
        "year" => end.AddYears(-Amount),
        _ => throw new InvalidOperationException($"unknown unit {Unit}"),
    };

    public override string ToString() => $"{Amount} {Unit}{(Amount == 1 ? string.Empty : "s")}";
}
