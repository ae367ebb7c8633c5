using ImagingCds.Facts;

namespace ImagingCds.Guidelines;

/// <summary>
/// The one generic evaluator: three-valued logic over facts, the burden-of-documentation rule of DESIGN.md,
/// and a trace of every rule. Pure; no policy-specific code.
/// </summary>
/// <remarks>
/// Verdict order: an exclusion whose trigger is documented true and none of whose exceptions is documented
/// true → not-appropriate; else an indication documented true → appropriate; else an indication still unknown
/// → needs-documentation (with the documentation that would decide the most promising one: fewest unknown
/// fact tests, ties by the order rules appear in the policy); else (every indication documented false) → not-appropriate.
/// </remarks>
public static class Evaluator
{
    /// <summary>Courses of care separated by up to this many days are one continuous course.</summary>
    public const int CourseGapDays = 14;

    public static Finding Evaluate(Policy policy, FactSet facts, FactCatalog catalog, string order, string cpt)
    {
        ArgumentNullException.ThrowIfNull(policy);
        ArgumentNullException.ThrowIfNull(facts);
        ArgumentNullException.ThrowIfNull(catalog);
        var run = new Run(policy, facts, catalog, PolicyNodes.Of(policy));
        var trace = new List<RuleResult>();
        foreach (var rule in policy.Rules.Where(r => r.Regions.Count == 0 || (facts.Region is { } region && r.Regions.Contains(region))))
        {
            trace.Add(run.Consider(rule));
        }

        var exclusion = trace.FirstOrDefault(r => r.Rule.Kind == RuleKind.Exclusion && r.Truth == Truth.True && !r.ExceptionDocumented);
        if (exclusion is not null)
        {
            return new Finding(order, cpt, policy.Id, Verdict.NotAppropriate, [exclusion.Rule.Citation], [], trace, [exclusion], null);
        }

        var indications = trace.Where(r => r.Rule.Kind == RuleKind.Indication).ToArray();
        var met = indications.Where(r => r.Truth == Truth.True && r.Rule.DefersTo is null).ToArray();
        if (met.Length > 0)
        {
            return new Finding(order, cpt, policy.Id, Verdict.Appropriate, met.Select(r => r.Rule.Citation).ToArray(), [], trace, met, null);
        }

        // Most promising open indication: among those the record already points to (a clinical fact documented true that
        // not every open indication shares), if any, the one with the fewest fact tests left to document; ties go to
        // the rule written first.
        var open = indications.Where(r => r.Truth != Truth.False).ToArray();
        // A fact every open indication shares (say, an in-person visit) says nothing about which one the record points to.
        var shown = open.Select(r => r.Facts.Where(f => f.Truth == Truth.True && IsProgress(f, catalog)).Select(f => f.FactId).ToHashSet(StringComparer.Ordinal)).ToArray();
        var common = new HashSet<string>(shown.FirstOrDefault() ?? [], StringComparer.Ordinal);
        foreach (var other in shown.Skip(1))
        {
            common.IntersectWith(other);
        }

        var started = open.Where((_, i) => open.Length == 1 ? shown[i].Count > 0 : !shown[i].IsSubsetOf(common)).ToArray();
        (RuleResult Result, int Count)? best = null;
        foreach (var result in started.Length > 0 ? started : open)
        {
            if (run.NeededCount(result.Rule) is { } count && (best is null || count < best.Value.Count))
            {
                best = (result, count);
            }
        }

        return best is { Result: var promising }
            ? new Finding(order, cpt, policy.Id, Verdict.NeedsDocumentation, [], run.Needed(promising.Rule)!, trace, [promising], null)
            : new Finding(order, cpt, policy.Id, Verdict.NotAppropriate, ["No indication of this policy can be met for this order"], [], trace, [], null);
    }

    /// <summary>
    /// A documented clinical fact counts as progress toward an indication; facts every order has (age, sex, region,
    /// contrast) and a silent record satisfying a "not documented" test do not.
    /// </summary>
    private static bool IsProgress(FactUse use, FactCatalog catalog) =>
        !use.Key.EndsWith("|documented=false", StringComparison.Ordinal) &&
        !(catalog.Facts.TryGetValue(use.FactId, out var fact) && fact.Derive.Builtin is not null);

    /// <summary>A policy that failed to evaluate: contained, reported, never mistaken for "criteria not met".</summary>
    public static Finding Failed(Policy policy, string order, string cpt, string why)
    {
        ArgumentNullException.ThrowIfNull(policy);
        return new Finding(order, cpt, policy.Id, Verdict.Error, [], [], [], [], why);
    }

    /// <summary>Evidence equal by value, hashed by its resource alone (cheap; the same resource rarely has two).</summary>
    private sealed class SameEvidence : IEqualityComparer<Evidence>
    {
        public static readonly SameEvidence Instance = new();

        public bool Equals(Evidence? x, Evidence? y) => x == y;

        public int GetHashCode(Evidence obj) => obj.Reference.GetHashCode(StringComparison.Ordinal);
    }

    /// <summary>A condition node as decided in one run, with the fact tests behind it (each once).</summary>
    /// <param name="Uses">Slots of the fact tests behind the node (<see cref="PolicyNodes"/>), each once, in first-seen order; null until decided.</param>
    private readonly record struct Decided(Truth Truth, int[] Uses);

    /// <summary>
    /// Fact tests decided for one order, by key with the region filled in. A test's outcome depends only on the order's
    /// facts, never on the policy, so the policies evaluated for one order share it; it lives as long as the fact set.
    /// </summary>
    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<FactSet, Dictionary<string, FactUse>> DecidedTests = [];

    private sealed class Run(Policy policy, FactSet facts, FactCatalog catalog, PolicyNodes nodes)
    {
        private readonly Dictionary<string, FactUse> _orderTests = DecidedTests.GetOrCreateValue(facts);

        // Memos by node number and test slot (PolicyNodes): each condition node is decided once per run, and each fact
        // test key once; the tests behind a node are merged by slot, without hashing.
        private readonly Decided[] _decided = new Decided[nodes.Count];
        private readonly FactUse?[] _uses = new FactUse?[nodes.Slots];
        private readonly int[] _seen = new int[nodes.Slots];
        private readonly (FactTest Test, bool Wanted)[]?[] _needed = new (FactTest Test, bool Wanted)[]?[2 * nodes.Count];
        private readonly bool[] _neededKnown = new bool[2 * nodes.Count];
        private int _stamp;

        public RuleResult Consider(Rule rule)
        {
            var when = Eval(rule.When);
            var truth = when.Truth;
            if (rule.DefersTo is not null && truth == Truth.True)
            {
                // Another guideline decides this case: the record can show it applies, never that it is met.
                truth = Truth.Unknown;
            }

            var uses = when.Uses;
            var exception = false;
            if (rule.Kind == RuleKind.Exclusion && truth == Truth.True && rule.Unless.Count > 0)
            {
                var parts = new List<int[]> { uses };
                foreach (var unless in rule.Unless)
                {
                    var lifted = Eval(unless);
                    parts.Add(lifted.Uses);
                    if (lifted.Truth == Truth.True)
                    {
                        exception = true;
                        break;
                    }
                }

                uses = Merge(parts);
            }

            return new RuleResult(rule, truth, exception, Array.ConvertAll(uses, Use));
        }

        private Decided Eval(Predicate predicate)
        {
            var node = nodes.IndexOf(predicate);
            if (_decided[node].Uses is null)
            {
                _decided[node] = Decide(predicate, node);
            }

            return _decided[node];
        }

        private Decided Decide(Predicate predicate, int node) => predicate switch
        {
            AllOf all => Combine(all.Items, Truth.True, Kleene.And),
            AnyOf any => Combine(any.Items, Truth.False, Kleene.Or),
            NotOf not => Negated(Eval(not.Item)),
            AtLeastOf atLeast => AtLeast(atLeast),
            DefinitionRef reference => Eval(policy.Definitions[reference.Name].When),
            FactTest test => Test(test, nodes.SlotOf(node)),
            _ => throw new InvalidOperationException($"unknown condition {predicate.GetType().Name}"),
        };

        private static Decided Negated(Decided decided) => decided with { Truth = Kleene.Not(decided.Truth) };

        /// <summary>Folds every item (no short cut: the trace shows the evidence of each).</summary>
        private Decided Combine(IReadOnlyList<Predicate> items, Truth seed, Func<Truth, Truth, Truth> fold)
        {
            var truth = seed;
            var parts = new int[items.Count][];
            for (var i = 0; i < items.Count; i++)
            {
                var item = Eval(items[i]);
                truth = fold(truth, item.Truth);
                parts[i] = item.Uses;
            }

            return new Decided(truth, Merge(parts));
        }

        private Decided AtLeast(AtLeastOf atLeast)
        {
            var parts = new int[atLeast.Items.Count][];
            var (yes, open) = (0, 0);
            for (var i = 0; i < atLeast.Items.Count; i++)
            {
                var item = Eval(atLeast.Items[i]);
                yes += item.Truth == Truth.True ? 1 : 0;
                open += item.Truth == Truth.Unknown ? 1 : 0;
                parts[i] = item.Uses;
            }

            var truth = yes >= atLeast.Count ? Truth.True : yes + open >= atLeast.Count ? Truth.Unknown : Truth.False;
            return new Decided(truth, Merge(parts));
        }

        /// <summary>The tests of several nodes in first-seen order, each once; a single non-empty part is shared, not copied.</summary>
        private int[] Merge(IReadOnlyList<int[]> parts)
        {
            int[]? only = null;
            var nonEmpty = 0;
            foreach (var part in parts)
            {
                if (part.Length > 0)
                {
                    only = part;
                    nonEmpty++;
                }
            }

            if (nonEmpty <= 1)
            {
                return only ?? [];
            }

            // Two passes over the parts, each with a fresh stamp in _seen: count the distinct slots, then copy them.
            var distinct = 0;
            _stamp++;
            foreach (var part in parts)
            {
                foreach (var slot in part)
                {
                    distinct += FirstSight(slot) ? 1 : 0;
                }
            }

            var merged = new int[distinct];
            var next = 0;
            _stamp++;
            foreach (var part in parts)
            {
                foreach (var slot in part)
                {
                    if (FirstSight(slot))
                    {
                        merged[next++] = slot;
                    }
                }
            }

            return merged;
        }

        /// <summary>Whether the slot is seen for the first time under the current stamp (and marks it seen).</summary>
        private bool FirstSight(int slot)
        {
            if (_seen[slot] == _stamp)
            {
                return false;
            }

            _seen[slot] = _stamp;
            return true;
        }

        private FactUse Use(int slot) => _uses[slot]!;

        private Decided Test(FactTest test, int slot)
        {
            if (_uses[slot] is null)
            {
                var key = Regional(test.Key);
                if (!_orderTests.TryGetValue(key, out var use))
                {
                    use = DecideTest(test, key);
                    _orderTests[key] = use;
                }

                _uses[slot] = use;
            }

            return new Decided(_uses[slot]!.Truth, nodes.Alone(slot));
        }

        private string Regional(string text) => facts.Region is { } region ? text.Replace("{region}", region, StringComparison.Ordinal) : text;

        private FactUse DecideTest(FactTest test, string key)
        {
            var factId = Regional(test.Fact);
            var plain = test is { Within: null, OlderThan: null, After: null, Since: null, StartsWithin: null, WeeksAtLeast: null, CountAtLeast: null };
            if (facts.Answers.TryGetValue(key, out var answer))
            {
                var attested = answer.Number is { } number && test.Compare is { } c ? Kleene.FromBool(Compare(number, c)) : answer.Truth;
                return new FactUse(key, factId, attested, [answer.Evidence]);
            }

            if (plain && facts.Answers.TryGetValue(factId, out answer))
            {
                // An answer about the fact itself; a "documented: false" test asks the opposite.
                var attested = answer.Number is { } number && test.Compare is { } c ? Kleene.FromBool(Compare(number, c)) :
                    test.Documented ? answer.Truth : Kleene.Not(answer.Truth);
                return new FactUse(key, factId, attested, [answer.Evidence]);
            }

            if (factId.Contains("{region}", StringComparison.Ordinal))
            {
                return new FactUse(key, factId, Truth.Unknown, []);
            }

            var occurrences = facts.Get(factId).Occurrences;
            var day = facts.EvaluationDate;
            var windowStart = test.Within?.StartBefore(day);
            var olderThan = test.OlderThan?.StartBefore(day);
            var startsFrom = test.StartsWithin?.StartBefore(day);
            DateOnly? after = null;
            var afterUnknown = false;
            if ((test.After ?? test.Since) is { } afterFact)
            {
                after = facts.Get(Regional(afterFact)).Occurrences.Where(o => o.Positive && o.Start is not null).Max(o => o.Start);
                afterUnknown = after is null;
            }

            // In-scope occurrences, positive and negative apart (a negative is shown only when nothing positive is).
            var positives = new List<Occurrence>();
            var negatives = new List<Occurrence>();
            var undated = false;
            foreach (var o in occurrences)
            {
                var dated = o.Start is not null;
                if ((windowStart is not null || olderThan is not null || startsFrom is not null || after is not null || afterUnknown) && (!dated || afterUnknown))
                {
                    undated |= o.Positive;
                    continue;
                }

                var end = o.End ?? o.Start;
                if ((windowStart is { } ws && (end < ws || o.Start > day)) ||
                    (startsFrom is { } sf && (o.Start < sf || o.Start > day)) ||
                    (olderThan is { } ot && o.Start > ot) ||
                    (after is { } a && (test.Since is null ? o.Start <= a : o.Start < a)))
                {
                    continue;
                }

                (o.Positive ? positives : negatives).Add(o);
            }

            Truth truth;
            IReadOnlyList<Occurrence> shown = positives;
            if (test.In.Count > 0)
            {
                var chosen = positives.Where(o => o.Choice is not null).ToArray();
                truth = chosen.Any(o => test.In.Contains(o.Choice!)) ? Truth.True : chosen.Length > 0 ? Truth.False : Truth.Unknown;
                shown = chosen;
            }
            else if (test.Compare is { } comparison)
            {
                var latest = positives.Where(o => o.Number is not null).OrderBy(o => o.Start ?? DateOnly.MinValue).LastOrDefault();
                truth = latest is null ? Truth.Unknown : Kleene.FromBool(Compare(latest.Number!.Value, comparison));
                shown = latest is null ? [] : [latest];
            }
            else if (test.WeeksAtLeast is { } weeks)
            {
                truth = LongestCourseDays(positives, windowStart) >= weeks * 7 ? Truth.True : Truth.Unknown;
            }
            else if (test.CountAtLeast is { } count)
            {
                truth = positives.Count >= count ? Truth.True : Truth.Unknown;
            }
            else if (!test.Documented)
            {
                // "Not documented": the record answers this itself, unless an undated positive might fall in the window.
                truth = positives.Count > 0 ? Truth.False : undated ? Truth.Unknown : Truth.True;
            }
            else
            {
                truth = positives.Count > 0 ? Truth.True :
                    negatives.Count > 0 && !undated ? Truth.False : Truth.Unknown;
                shown = positives.Count > 0 ? positives : negatives;
            }

            return new FactUse(key, factId, truth, Shown(shown));
        }

        /// <summary>The evidence of the occurrences shown, each distinct piece once.</summary>
        private static Evidence[] Shown(IReadOnlyList<Occurrence> occurrences) => occurrences.Count switch
        {
            0 => [],
            1 => [occurrences[0].Evidence],
            _ => occurrences.Select(o => o.Evidence).Distinct(SameEvidence.Instance).ToArray(),
        };

        /// <summary>Days from the first to the last day of the longest course, bridging gaps of up to <see cref="CourseGapDays"/>.</summary>
        internal static int LongestCourseDays(IEnumerable<Occurrence> occurrences, DateOnly? windowStart)
        {
            var longest = 0;
            DateOnly? start = null;
            DateOnly end = default;
            foreach (var o in occurrences.Where(o => o.Start is not null).OrderBy(o => o.Start))
            {
                var s = windowStart is { } ws && o.Start < ws ? ws : o.Start!.Value;
                var e = o.End is { } oe && oe > s ? oe : s;
                if (start is null || s.DayNumber - end.DayNumber > CourseGapDays)
                {
                    start = s;
                    end = e;
                }
                else if (e > end)
                {
                    end = e;
                }

                longest = Math.Max(longest, end.DayNumber - start.Value.DayNumber);
            }

            return longest;
        }

        private static bool Compare(decimal value, Comparison comparison) => comparison.Relation switch
        {
            Relation.Ge => value >= comparison.Value,
            Relation.Gt => value > comparison.Value,
            Relation.Le => value <= comparison.Value,
            Relation.Lt => value < comparison.Value,
            _ => value == comparison.Value,
        };

        /// <summary>How many prompts <see cref="Needed"/> would give, or null if no documentation can make the rule true.</summary>
        public int? NeededCount(Rule rule) => Open(rule) is { } tests ? tests.Length + (rule.DefersTo is null ? 0 : 1) : null;

        /// <summary>The fewest unknown fact tests whose documentation would make the rule true, or null if none can.</summary>
        public List<MissingItem>? Needed(Rule rule)
        {
            if (Open(rule) is not { } tests)
            {
                return null;
            }

            var items = tests.Select(t => Item(t.Test, rule) with { Wanted = t.Wanted }).ToList();
            if (rule.DefersTo is { } other)
            {
                items.Add(new MissingItem($"{rule.Id}.review", rule.Id,
                    $"This case is decided by {other}, which this service does not encode: document the criteria of {other}", null,
                    FactType.Boolean, rule.Id, other));
            }

            return items;
        }

        /// <summary>The unknown fact tests (each key once) that would make the rule true, or null if none can.</summary>
        private (FactTest Test, bool Wanted)[]? Open(Rule rule) => Need(rule.When, target: true)?.DistinctBy(t => t.Test.Key).ToArray();

        private MissingItem Item(FactTest test, Rule rule)
        {
            var factId = Regional(test.Fact);
            var definition = catalog.Facts.TryGetValue(factId, out var d) ? d : null;
            var qualifiers = FactTestWording.Qualifiers(test, other => catalog.Facts.GetValueOrDefault(Regional(other))?.Question.TrimEnd('?') ?? other);
            return new MissingItem(Regional(test.Key), factId, definition?.Question ?? factId,
                qualifiers.Count == 0 ? null : string.Join("; ", qualifiers), definition?.Type ?? FactType.Boolean, rule.Id);
        }

        /// <summary>Fact tests still unknown that would bring <paramref name="predicate"/> to <paramref name="target"/>; null when impossible.</summary>
        private (FactTest Test, bool Wanted)[]? Need(Predicate predicate, bool target)
        {
            var memo = (2 * nodes.IndexOf(predicate)) + (target ? 1 : 0);
            if (!_neededKnown[memo])
            {
                _needed[memo] = NeedOf(predicate, target);
                _neededKnown[memo] = true;
            }

            return _needed[memo];
        }

        private (FactTest Test, bool Wanted)[]? NeedOf(Predicate predicate, bool target)
        {
            switch (predicate)
            {
                case FactTest test:
                    var truth = Eval(test).Truth;
                    return truth == Truth.Unknown ? [(test, target)] : truth == Kleene.FromBool(target) ? [] : null;
                case NotOf not:
                    return Need(not.Item, !target);
                case DefinitionRef reference:
                    return Need(policy.Definitions[reference.Name].When, target);
                case AllOf all when target:
                case AnyOf any when !target:
                    return Every(predicate is AllOf a ? a.Items : ((AnyOf)predicate).Items, target);
                case AnyOf any:
                    return Cheapest(any.Items, target, 1);
                case AllOf all:
                    return Cheapest(all.Items, target, 1);
                case AtLeastOf atLeast:
                    return target
                        ? Cheapest(atLeast.Items, true, atLeast.Count)
                        : Cheapest(atLeast.Items, false, atLeast.Items.Count - atLeast.Count + 1);
                default:
                    return null;
            }
        }

        private (FactTest Test, bool Wanted)[]? Every(IReadOnlyList<Predicate> items, bool target)
        {
            var parts = new (FactTest Test, bool Wanted)[items.Count][];
            for (var i = 0; i < items.Count; i++)
            {
                if (Need(items[i], target) is not { } needed)
                {
                    return null;
                }

                parts[i] = needed;
            }

            return parts.Length == 1 ? parts[0] : [.. parts.SelectMany(p => p)];
        }

        /// <summary>The cheapest way to bring <paramref name="count"/> of the items to the target (ties: earliest items).</summary>
        private (FactTest Test, bool Wanted)[]? Cheapest(IReadOnlyList<Predicate> items, bool target, int count)
        {
            var options = new List<(FactTest Test, bool Wanted)[]>(items.Count);
            foreach (var item in items)
            {
                if (Need(item, target) is { } needed)
                {
                    options.Add(needed);
                }
            }

            if (options.Count < count)
            {
                return null;
            }

            return count == 1
                ? options.MinBy(o => o.Length)
                : [.. options.Select((needed, index) => (needed, index)).OrderBy(o => o.needed.Length).ThenBy(o => o.index).Take(count).SelectMany(o => o.needed)];
        }
    }
}
