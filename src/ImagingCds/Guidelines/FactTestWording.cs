using System.Globalization;

namespace ImagingCds.Guidelines;

/// <summary>A fact test's window, threshold or choice in plain words, shared by cards, prompts and policy pages.</summary>
public static class FactTestWording
{
    /// <summary>The qualifiers of a test, e.g. "within the last 6 months", "at least 6 weeks"; empty for a plain test.</summary>
    /// <param name="nameOf">Readable name of another fact (for <c>after</c> and <c>since</c>).</param>
    public static IReadOnlyList<string> Qualifiers(FactTest test, Func<string, string> nameOf)
    {
        ArgumentNullException.ThrowIfNull(test);
        ArgumentNullException.ThrowIfNull(nameOf);
        var words = new List<string>();
        if (test.Within is { } within)
        {
            words.Add($"within the last {within}");
        }

        if (test.StartsWithin is { } starts)
        {
            words.Add($"started within the last {starts}");
        }

        if (test.OlderThan is { } older)
        {
            words.Add($"for at least {older}");
        }

        if (test.After is { } after)
        {
            words.Add($"after the latest: {nameOf(after)}");
        }

        if (test.Since is { } since)
        {
            words.Add($"on or after the latest: {nameOf(since)}");
        }

        if (test.WeeksAtLeast is { } weeks)
        {
            words.Add($"at least {weeks} weeks");
        }

        if (test.CountAtLeast is { } count)
        {
            words.Add($"at least {count} times");
        }

        if (test.Compare is { } c)
        {
            var relation = c.Relation switch { Relation.Ge => "at least", Relation.Gt => "more than", Relation.Le => "at most", Relation.Lt => "less than", _ => "exactly" };
            words.Add($"{relation} {c.Value.ToString(CultureInfo.InvariantCulture)}");
        }

        if (test.In.Count > 0)
        {
            words.Add($"one of: {string.Join(", ", test.In)}");
        }

        if (!test.Documented)
        {
            words.Add("met when there was none: answer yes if none");
        }

        return words;
    }
}
