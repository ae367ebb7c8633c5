namespace ImagingCds.Scenarios;

/// <summary>How one expectation of a scenario fared against a hook response.</summary>
/// <param name="Order">The draft order's id, as the scenario names it (<c>mri-1</c>).</param>
/// <param name="Expected">The expected verdict (with its section when given), or <c>no entry</c>.</param>
/// <param name="Got">The verdict the response gave, or <c>no entry</c>.</param>
/// <param name="Problem">Why the expectation is not met; null when it is.</param>
public sealed record ExpectationResult(string Order, string Policy, string Expected, string Got, string? Problem)
{
    /// <summary>What a response shows when it has no entry for an (order, policy).</summary>
    public const string NoEntry = "no entry";

    public bool Passed => Problem is null;

    /// <summary>
    /// Checks a response's entries against a scenario's expectations: each expected (order, policy) has an entry with
    /// the expected verdict; an <c>appropriate</c> or <c>not-appropriate</c> one is decided by a criterion of the
    /// expected section; a <c>needs-documentation</c> one says what is missing; each <c>no_entry</c> pair has no entry.
    /// </summary>
    /// <returns>One result per expectation, in the scenario's order, then one per <c>no_entry</c> pair.</returns>
    public static IReadOnlyList<ExpectationResult> Check(
        IEnumerable<ScenarioExpectation> expected, IEnumerable<ScenarioExpectation> noEntry, IReadOnlyList<AppropriatenessEntry> entries)
    {
        ArgumentNullException.ThrowIfNull(expected);
        ArgumentNullException.ThrowIfNull(noEntry);
        ArgumentNullException.ThrowIfNull(entries);
        var results = new List<ExpectationResult>();
        foreach (var expectation in expected)
        {
            var wanted = expectation.Section is { } s ? $"{expectation.Verdict} ({s})" : expectation.Verdict ?? "?";
            var entry = Find(entries, expectation);
            if (entry is null)
            {
                results.Add(new(expectation.Order, expectation.Policy, wanted, NoEntry, $"no entry for {expectation.Order} / {expectation.Policy}"));
                continue;
            }

            var criteria = string.Join("; ", entry.Criteria);
            var got = entry.Verdict ?? "(no verdict)";
            string? problem = null;
            if (entry.Verdict != expectation.Verdict)
            {
                problem = $"{expectation.Order} / {expectation.Policy}: expected {wanted}, got {got} [{criteria}]";
            }
            else if (expectation.Section is { } section && entry.Verdict is "appropriate" or "not-appropriate" &&
                     !entry.Criteria.Any(c => c.StartsWith(section, StringComparison.Ordinal)))
            {
                problem = $"{expectation.Order} / {expectation.Policy}: {got} as expected, but decided by [{criteria}], not {section}";
            }
            else if (entry.Verdict == "needs-documentation" && entry.Missing.Count == 0)
            {
                problem = $"{expectation.Order} / {expectation.Policy}: needs-documentation without 'missing'";
            }

            results.Add(new(expectation.Order, expectation.Policy, wanted, got, problem));
        }

        foreach (var absent in noEntry)
        {
            var entry = Find(entries, absent);
            results.Add(entry is null
                ? new(absent.Order, absent.Policy, NoEntry, NoEntry, null)
                : new(absent.Order, absent.Policy, NoEntry, entry.Verdict ?? "(no verdict)", $"unexpected entry for {absent.Order} / {absent.Policy}"));
        }

        return results;
    }

    private static AppropriatenessEntry? Find(IReadOnlyList<AppropriatenessEntry> entries, ScenarioExpectation expectation) =>
        entries.FirstOrDefault(e => e.Order == $"ServiceRequest/{expectation.Order}" && e.Policy == expectation.Policy);
}
