using ImagingCds.Facts;

namespace ImagingCds.Guidelines;

/// <summary>The verdicts of DESIGN.md ("Verdicts, machine-readable").</summary>
public enum Verdict { Appropriate, NeedsDocumentation, NotAppropriate, Error }

/// <summary>The wire spelling of each verdict.</summary>
public static class Verdicts
{
    public static string Wire(this Verdict verdict) => verdict switch
    {
        Verdict.Appropriate => "appropriate",
        Verdict.NeedsDocumentation => "needs-documentation",
        Verdict.NotAppropriate => "not-appropriate",
        _ => "error",
    };
}

/// <summary>One fact test as it was decided for a rule, with the evidence behind it.</summary>
public sealed record FactUse(string Key, string FactId, Truth Truth, IReadOnlyList<Evidence> Evidence);

/// <summary>A rule as it was considered: met, not met or unknown, with its facts; for exclusions, whether an exception lifted it.</summary>
public sealed record RuleResult(Rule Rule, Truth Truth, bool ExceptionDocumented, IReadOnlyList<FactUse> Facts);

/// <summary>Documentation that would decide the most promising unmet indication: one fact test and its question.</summary>
/// <param name="Key">The prompt's linkId: the fact test's canonical key with the region filled in.</param>
/// <param name="Qualifier">The test's window or threshold in words ("within the last 6 months; at least 6 weeks"), or null.</param>
public sealed record MissingItem(string Key, string FactId, string Question, string? Qualifier, FactType Type, string RuleId, string? DefersTo = null)
{
    /// <summary>The answer that would meet the indication: yes for most tests, no where the rule needs the opposite.</summary>
    public bool Wanted { get; init; } = true;

    /// <summary>The whole prompt: the question with its qualifier (and, when "no" is what meets the rule, that).</summary>
    public string Text => (Qualifier is null ? Question : $"{Question} ({Qualifier})") + (Wanted ? string.Empty : " — the indication needs \"no\"");
}

/// <summary>The outcome of one policy for one order, with the trace of every rule considered.</summary>
/// <param name="Criteria">The indications that decided an <c>appropriate</c>, or the exclusion that decided a <c>not-appropriate</c> (citations).</param>
/// <param name="Decisive">The rules behind <paramref name="Criteria"/>, or the most promising unmet indication for <c>needs-documentation</c>.</param>
/// <param name="Error">Plain words on why the policy could not be evaluated (for <c>error</c> only).</param>
public sealed record Finding(
    string Order,
    string Cpt,
    string PolicyId,
    Verdict Verdict,
    IReadOnlyList<string> Criteria,
    IReadOnlyList<MissingItem> Missing,
    IReadOnlyList<RuleResult> Trace,
    IReadOnlyList<RuleResult> Decisive,
    string? Error);
