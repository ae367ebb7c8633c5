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
        var run = new Run(policy, facts, catalog);
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
        (RuleResult Result, List<MissingItem> Needed)? best = null;
        var open = indications.Where(r => r.Truth != Truth.False).ToArray();
        // A fact every open indication shares (say, an in-person visit) says nothing about which one the record points to.
        var shown = open.ToDictionary(r => r, r => r.Facts.Where(f => f.Truth == Truth.True && IsProgress(f, catalog)).Select(f => f.FactId).ToHashSet(StringComparer.Ordinal));
        var common = open.Length > 1 ? shown.Values.Aggregate((a, b) => a.Intersect(b, StringComparer.Ordinal).ToHashSet(StringComparer.Ordinal)) : [];
        var started = open.Where(r => shown[r].Except(common, StringComparer.Ordinal).Any()).ToArray();
        foreach (var result in started.Length > 0 ? started : open)
        {
            var needed = run.Needed(result.Rule);
            if (needed is not null && (best is null || needed.Count < best.Value.Needed.Count))
            {
                best = (result, needed);
            }
        }

        return best is { } promising
            ? new Finding(order, cpt, policy.Id, Verdict.NeedsDocumentation, [], promising.Needed, trace, [promising.Result], null)
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

    /// <summary>Keys (condition node by reference, target truth) for the memo of what documentation a node needs.</summary>
    private sealed class NodeTargetComparer : IEqualityComparer<(Predicate Node, bool Target)>
    {
        public static readonly NodeTargetComparer Instance = new();

        public bool Equals((Predicate Node, bool Target) x, (Predicate Node, bool Target) y) => ReferenceEquals(x.Node, y.Node) && x.Target == y.Target;

        public int GetHashCode((Predicate Node, bool Target) obj) => HashCode.Combine(System.Runtime.CompilerServices.RuntimeHelpers.GetHashCode(obj.Node), obj.Target);
    }

    private sealed class Run(Policy policy, FactSet facts, FactCatalog catalog)
    {
        private readonly Dictionary<string, (Truth Truth, FactUse Use)> _tests = new(StringComparer.Ordinal);

        // Definitions are shared by many rules: each condition node is decided once per run (by reference).
        private readonly Dictionary<Predicate, (Truth Truth, FactUse[] Uses)> _decided = new(ReferenceEqualityComparer.Instance);
        private readonly Dictionary<(Predicate, bool), List<(FactTest Test, bool Wanted)>?> _needed = new(NodeTargetComparer.Instance);

        public RuleResult Consider(Rule rule)
        {
            var uses = new List<FactUse>();
            var truth = Eval(rule.When, uses);
            if (rule.DefersTo is not null && truth == Truth.True)
            {
                // Another guideline decides this case: the record can show it applies, never that it is met.
                truth = Truth.Unknown;
            }

            var exception = rule.Kind == RuleKind.Exclusion && truth == Truth.True && rule.Unless.Any(u => Eval(u, uses) == Truth.True);
            return new RuleResult(rule, truth, exception, uses.DistinctBy(u => u.Key).ToArray());
        }

        private Truth Eval(Predicate predicate, List<FactUse> uses)
        {
            if (!_decided.TryGetValue(predicate, out var decided))
            {
                var own = new List<FactUse>();
                decided = (Decide(predicate, own), own.ToArray());
                _decided[predicate] = decided;
            }

            uses.AddRange(decided.Uses);
            return decided.Truth;
        }

        private Truth Decide(Predicate predicate, List<FactUse> uses) => predicate switch
        {
            AllOf all => all.Items.Aggregate(Truth.True, (acc, p) => Kleene.And(acc, Eval(p, uses))),
            AnyOf any => any.Items.Aggregate(Truth.False, (acc, p) => Kleene.Or(acc, Eval(p, uses))),
            NotOf not => Kleene.Not(Eval(not.Item, uses)),
            AtLeastOf atLeast => AtLeast(atLeast, uses),
            DefinitionRef reference => Eval(policy.Definitions[reference.Name].When, uses),
            FactTest test => Test(test, uses),
            _ => throw new InvalidOperationException($"unknown condition {predicate.GetType().Name}"),
        };

        private Truth AtLeast(AtLeastOf atLeast, List<FactUse> uses)
        {
            var truths = atLeast.Items.Select(p => Eval(p, uses)).ToArray();
            var yes = truths.Count(t => t == Truth.True);
            var open = truths.Count(t => t == Truth.Unknown);
            return yes >= atLeast.Count ? Truth.True : yes + open >= atLeast.Count ? Truth.Unknown : Truth.False;
        }

        private Truth Test(FactTest test, List<FactUse> uses)
        {
            var key = Regional(test.Key);
            if (!_tests.TryGetValue(key, out var decided))
            {
                decided = DecideTest(test, key);
                _tests[key] = decided;
            }

            uses.Add(decided.Use);
            return decided.Truth;
        }

        private string Regional(string text) => facts.Region is { } region ? text.Replace("{region}", region, StringComparison.Ordinal) : text;

        private (Truth, FactUse) DecideTest(FactTest test, string key)
        {
            var factId = Regional(test.Fact);
            var plain = test is { Within: null, OlderThan: null, After: null, Since: null, StartsWithin: null, WeeksAtLeast: null, CountAtLeast: null };
            if (facts.Answers.TryGetValue(key, out var answer))
            {
                var attested = answer.Number is { } number && test.Compare is { } c ? Kleene.FromBool(Compare(number, c)) : answer.Truth;
                return (attested, new FactUse(key, factId, attested, [answer.Evidence]));
            }

            if (plain && facts.Answers.TryGetValue(factId, out answer))
            {
                // An answer about the fact itself; a "documented: false" test asks the opposite.
                var attested = answer.Number is { } number && test.Compare is { } c ? Kleene.FromBool(Compare(number, c)) :
                    test.Documented ? answer.Truth : Kleene.Not(answer.Truth);
                return (attested, new FactUse(key, factId, attested, [answer.Evidence]));
            }

            if (factId.Contains("{region}", StringComparison.Ordinal))
            {
                return (Truth.Unknown, new FactUse(key, factId, Truth.Unknown, []));
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

            var inScope = new List<Occurrence>();
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

                inScope.Add(o);
            }

            var positives = inScope.Where(o => o.Positive).ToArray();
            Truth truth;
            Occurrence[] shown = positives;
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
                truth = positives.Length >= count ? Truth.True : Truth.Unknown;
            }
            else if (!test.Documented)
            {
                // "Not documented": the record answers this itself, unless an undated positive might fall in the window.
                truth = positives.Length > 0 ? Truth.False : undated ? Truth.Unknown : Truth.True;
            }
            else
            {
                truth = positives.Length > 0 ? Truth.True :
                    inScope.Count > 0 && !undated ? Truth.False : Truth.Unknown;
                shown = positives.Length > 0 ? positives : inScope.ToArray();
            }

            return (truth, new FactUse(key, factId, truth, shown.Select(o => o.Evidence).Distinct().ToArray()));
        }

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

        /// <summary>The fewest unknown fact tests whose documentation would make the rule true, or null if none can.</summary>
        public List<MissingItem>? Needed(Rule rule)
        {
            var tests = Need(rule.When, target: true);
            if (tests is null)
            {
                return null;
            }

            var items = tests.DistinctBy(t => Regional(t.Test.Key)).Select(t => Item(t.Test, rule) with { Wanted = t.Wanted }).ToList();
            if (rule.DefersTo is { } other)
            {
                items.Add(new MissingItem($"{rule.Id}.review", rule.Id,
                    $"This case is decided by {other}, which this service does not encode: document the criteria of {other}", null,
                    FactType.Boolean, rule.Id, other));
            }

            return items;
        }

        private MissingItem Item(FactTest test, Rule rule)
        {
            var factId = Regional(test.Fact);
            var definition = catalog.Facts.TryGetValue(factId, out var d) ? d : null;
            var qualifiers = FactTestWording.Qualifiers(test, other => catalog.Facts.GetValueOrDefault(Regional(other))?.Question.TrimEnd('?') ?? other);
            return new MissingItem(Regional(test.Key), factId, definition?.Question ?? factId,
                qualifiers.Count == 0 ? null : string.Join("; ", qualifiers), definition?.Type ?? FactType.Boolean, rule.Id);
        }

        /// <summary>Fact tests still unknown that would bring <paramref name="predicate"/> to <paramref name="target"/>; null when impossible.</summary>
        private List<(FactTest Test, bool Wanted)>? Need(Predicate predicate, bool target)
        {
            if (!_needed.TryGetValue((predicate, target), out var needed))
            {
                needed = NeedOf(predicate, target);
                _needed[(predicate, target)] = needed;
            }

            return needed;
        }

        private List<(FactTest Test, bool Wanted)>? NeedOf(Predicate predicate, bool target)
        {
            switch (predicate)
            {
                case FactTest test:
                    var truth = Eval(test, []);
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

        private List<(FactTest Test, bool Wanted)>? Every(IReadOnlyList<Predicate> items, bool target)
        {
            var all = new List<(FactTest Test, bool Wanted)>();
            foreach (var item in items)
            {
                if (Need(item, target) is not { } needed)
                {
                    return null;
                }

                all.AddRange(needed);
            }

            return all;
        }

        /// <summary>The cheapest way to bring <paramref name="count"/> of the items to the target (ties: earliest items).</summary>
        private List<(FactTest Test, bool Wanted)>? Cheapest(IReadOnlyList<Predicate> items, bool target, int count)
        {
            var options = items.Select(Item => Need(Item, target)).Where(n => n is not null).Select(n => n!).ToList();
            return options.Count < count
                ? null
                : options.Select((needed, index) => (needed, index)).OrderBy(o => o.needed.Count).ThenBy(o => o.index)
                    .Take(count).SelectMany(o => o.needed).ToList();
        }
    }
}
