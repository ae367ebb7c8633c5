using System.Text.Json.Serialization;

namespace ImagingCds.Feedback;

/// <summary>How often users accepted or overrode, and the override reasons they gave (by reason code).</summary>
/// <param name="OverrideReasons">Count per reason code; an entry giving several reasons counts once for each.
/// Overrides without a coded reason count in <paramref name="Overridden"/> only. Omitted when there are none.</param>
public sealed record OutcomeCounts(
    int Accepted,
    int Overridden,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyDictionary<string, int>? OverrideReasons);

/// <summary>Feedback on the cards that reported a policy: overall, per verdict the card showed, and per decisive rule.</summary>
public sealed record PolicyFeedback(
    int Accepted,
    int Overridden,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyDictionary<string, int>? OverrideReasons,
    IReadOnlyDictionary<string, OutcomeCounts> Verdicts,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyDictionary<string, OutcomeCounts>? Rules);

/// <summary>
/// The body of <c>GET /feedback/summary</c>. <c>overall</c> counts every feedback entry once; <c>policies</c> counts
/// an entry once for each policy its card reported (a card may report several); <c>unmatched</c> counts entries on
/// cards this service no longer (or never) knew, which therefore have no policy.
/// </summary>
public sealed record FeedbackSummary(
    OutcomeCounts Overall,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] OutcomeCounts? Unmatched,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyDictionary<string, PolicyFeedback>? Policies)
{
    /// <summary>Counts the stored feedback. Pure; keys are ordered (ordinal) so the report is stable.</summary>
    public static async Task<FeedbackSummary> SummarizeAsync(IAsyncEnumerable<StoredFeedback> feedback, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(feedback);
        var overall = new Tally();
        var unmatched = new Tally();
        var policies = new SortedDictionary<string, PolicyTally>(StringComparer.Ordinal);
        await foreach (var stored in feedback.WithCancellation(cancellationToken))
        {
            var item = stored.Item;
            overall.Add(item);
            if (stored.Entries.Count == 0)
            {
                unmatched.Add(item);
            }

            foreach (var byPolicy in stored.Entries.GroupBy(e => e.Policy, StringComparer.Ordinal))
            {
                var policy = Get(policies, byPolicy.Key);
                policy.Total.Add(item);
                foreach (var verdict in byPolicy.Select(e => e.Verdict).Distinct(StringComparer.Ordinal))
                {
                    Get(policy.Verdicts, verdict).Add(item);
                }

                foreach (var rule in byPolicy.SelectMany(e => e.Rules).Distinct(StringComparer.Ordinal))
                {
                    Get(policy.Rules, rule).Add(item);
                }
            }
        }

        return new FeedbackSummary(
            overall.Counts(),
            unmatched.Empty ? null : unmatched.Counts(),
            policies.Count == 0 ? null : policies.ToDictionary(p => p.Key, p => p.Value.Feedback(), StringComparer.Ordinal));
    }

    private static T Get<T>(SortedDictionary<string, T> tallies, string key)
        where T : new()
    {
        if (!tallies.TryGetValue(key, out var tally))
        {
            tally = new T();
            tallies[key] = tally;
        }

        return tally;
    }

    private sealed class Tally
    {
        private readonly SortedDictionary<string, int> _reasons = new(StringComparer.Ordinal);
        private int _accepted;
        private int _overridden;

        public bool Empty => _accepted + _overridden == 0;

        public void Add(FeedbackItem item)
        {
            if (item.Outcome == FeedbackOutcome.Accepted)
            {
                _accepted++;
                return;
            }

            _overridden++;
            foreach (var code in item.OverrideReasons.Select(r => r.Code).Distinct(StringComparer.Ordinal))
            {
                _reasons[code] = _reasons.GetValueOrDefault(code) + 1;
            }
        }

        public OutcomeCounts Counts() => new(_accepted, _overridden, Reasons());

        private Dictionary<string, int>? Reasons() => _reasons.Count == 0 ? null : new Dictionary<string, int>(_reasons, StringComparer.Ordinal);
    }

    private sealed class PolicyTally
    {
        public Tally Total { get; } = new();

        public SortedDictionary<string, Tally> Verdicts { get; } = new(StringComparer.Ordinal);

        public SortedDictionary<string, Tally> Rules { get; } = new(StringComparer.Ordinal);

        public PolicyFeedback Feedback()
        {
            var total = Total.Counts();
            return new PolicyFeedback(
                total.Accepted,
                total.Overridden,
                total.OverrideReasons,
                Verdicts.ToDictionary(v => v.Key, v => v.Value.Counts(), StringComparer.Ordinal),
                Rules.Count == 0 ? null : Rules.ToDictionary(r => r.Key, r => r.Value.Counts(), StringComparer.Ordinal));
        }
    }
}
