using ImagingCds.Facts;
using ImagingCds.Guidelines;

namespace ImagingCds.Tests.Guidelines;

public sealed class EvaluatorTests
{
    private static readonly DateOnly Day = new(2026, 11, 20);

    private static readonly FactCatalog Catalog = new(
        new[] { "a", "b", "c", "care", "mri", "symptom", "age_years", "order_region" }
            .ToDictionary(
                id => id,
                id => new FactDefinition(id, $"Is {id} documented?", id switch { "age_years" => FactType.Number, "order_region" => FactType.Choice, _ => FactType.Boolean },
                    [], new Derivation(), null, null, "test", 1)),
        new Terminology(new Dictionary<string, ValueSet>()));

    private static Occurrence Yes(DateOnly? start = null, DateOnly? end = null) =>
        new(true, start, end ?? start, new Evidence("Condition/1", "yes", null, null, start?.ToString("yyyy-MM-dd")));

    private static Occurrence No() => new(false, null, null, new Evidence("Condition/2", "refuted", null, null, null));

    private static FactSet Facts(params (string Id, Occurrence[] Occurrences)[] values) => new(
        values.ToDictionary(v => v.Id, v => new FactValue(v.Id, v.Occurrences)),
        new Dictionary<string, Answer>(),
        Day,
        "lumbar");

    private static FactTest Fact(string id) => new(id, null, null, null, null, [], null, null) { Key = id };

    /// <summary>The test with its canonical key, as loaded policies have it (a key is decided once per order).</summary>
    private static FactTest Keyed(FactTest test) => test with { Key = PolicyLoader.KeyOf(test) };

    private static Policy PolicyOf(params Rule[] rules) => new(
        "test", "Payer", "Title", "1", "2026-01-01", "seed.txt", new HashSet<string> { "72148" },
        new Dictionary<string, Definition>(), rules, "test.yaml");

    private static Rule Indication(string id, Predicate when, string? defersTo = null) =>
        new(id, RuleKind.Indication, $"Indication {id}", $"S-{id}", [], when, [], defersTo, null, 1);

    private static Rule Exclusion(string id, Predicate when, params Predicate[] unless) =>
        new(id, RuleKind.Exclusion, $"Exclusion {id}", $"X-{id}", [], when, unless, null, null, 1);

    private static Finding Evaluate(Policy policy, FactSet facts) => Evaluator.Evaluate(policy, facts, Catalog, "ServiceRequest/1", "72148");

    private static Truth TruthOf(Predicate when, FactSet facts) =>
        Evaluate(PolicyOf(Indication("i", when)), facts).Trace.Single().Truth;

    [Theory]
    [InlineData(true, true, Truth.True)]
    [InlineData(true, false, Truth.False)]
    [InlineData(true, null, Truth.Unknown)]
    [InlineData(false, null, Truth.False)]
    [InlineData(null, null, Truth.Unknown)]
    public void AllOf_KleeneConjunction(bool? a, bool? b, Truth expected)
    {
        var facts = Facts(("a", Occ(a)), ("b", Occ(b)));
        Assert.Equal(expected, TruthOf(new AllOf([Fact("a"), Fact("b")]), facts));
    }

    [Theory]
    [InlineData(true, false, Truth.True)]
    [InlineData(false, false, Truth.False)]
    [InlineData(false, null, Truth.Unknown)]
    [InlineData(true, null, Truth.True)]
    public void AnyOf_KleeneDisjunction(bool? a, bool? b, Truth expected)
    {
        var facts = Facts(("a", Occ(a)), ("b", Occ(b)));
        Assert.Equal(expected, TruthOf(new AnyOf([Fact("a"), Fact("b")]), facts));
    }

    [Theory]
    [InlineData(true, Truth.False)]
    [InlineData(false, Truth.True)]
    [InlineData(null, Truth.Unknown)]
    public void NotOf_SwapsTrueAndFalse_KeepsUnknown(bool? a, Truth expected) =>
        Assert.Equal(expected, TruthOf(new NotOf(Fact("a")), Facts(("a", Occ(a)))));

    [Theory]
    [InlineData(true, true, false, Truth.True)]
    [InlineData(true, null, false, Truth.Unknown)]
    [InlineData(true, false, false, Truth.False)]
    public void AtLeastOf_CountsTrueAndOpenItems(bool? a, bool? b, bool? c, Truth expected) =>
        Assert.Equal(expected, TruthOf(new AtLeastOf(2, [Fact("a"), Fact("b"), Fact("c")]), Facts(("a", Occ(a)), ("b", Occ(b)), ("c", Occ(c)))));

    [Theory]
    [InlineData(0, Truth.True)] // the window's first day (evaluation date minus 6 months) is included
    [InlineData(1, Truth.Unknown)] // one day earlier is outside: not documented inside the window
    public void Within_IncludesTheWindowsFirstDay(int daysBeforeStart, Truth expected)
    {
        var windowStart = Day.AddMonths(-6);
        var facts = Facts(("mri", [Yes(windowStart.AddDays(-daysBeforeStart))]));
        var test = Fact("mri") with { Within = new Span(6, "month") };
        Assert.Equal(expected, TruthOf(test, facts));
    }

    [Theory]
    [InlineData(41, Truth.Unknown)] // 5 weeks 6 days: not yet 6 weeks, and more care may be undocumented
    [InlineData(42, Truth.True)]
    public void WeeksAtLeast_SixWeeksIs42Days(int days, Truth expected)
    {
        var start = Day.AddDays(-60);
        var facts = Facts(("care", [Yes(start, start.AddDays(days))]));
        var test = Fact("care") with { Within = new Span(6, "month"), WeeksAtLeast = 6 };
        Assert.Equal(expected, TruthOf(test, facts));
    }

    [Fact]
    public void WeeksAtLeast_JoinsCoursesUpTo14DaysApart_NotFurther()
    {
        var start = Day.AddDays(-100);
        var joined = Facts(("care", [Yes(start, start.AddDays(20)), Yes(start.AddDays(34), start.AddDays(45))]));
        var apart = Facts(("care", [Yes(start, start.AddDays(20)), Yes(start.AddDays(36), start.AddDays(45))]));
        var test = Fact("care") with { WeeksAtLeast = 6 };
        Assert.Equal(Truth.True, TruthOf(test, joined));
        Assert.Equal(Truth.Unknown, TruthOf(test, apart));
    }

    [Theory]
    [InlineData(42, Truth.True)]
    [InlineData(41, Truth.Unknown)]
    public void OlderThan_SymptomsLastingSixWeeks(int daysAgo, Truth expected) =>
        Assert.Equal(expected, TruthOf(Fact("symptom") with { OlderThan = new Span(6, "week") }, Facts(("symptom", [Yes(Day.AddDays(-daysAgo))]))));

    [Fact]
    public void After_OnlyOccurrencesSinceTheOtherFact()
    {
        var facts = Facts(("mri", [Yes(Day.AddDays(-60))]), ("symptom", [Yes(Day.AddDays(-90)), Yes(Day.AddDays(-10))]));
        var old = Facts(("mri", [Yes(Day.AddDays(-60))]), ("symptom", [Yes(Day.AddDays(-90))]));
        var test = Fact("symptom") with { After = "mri" };
        Assert.Equal(Truth.True, TruthOf(test, facts));
        Assert.Equal(Truth.Unknown, TruthOf(test, old));
    }

    [Fact]
    public void Since_CountsTheSameDay_AfterDoesNot()
    {
        var facts = Facts(("mri", [Yes(Day.AddDays(-30))]), ("symptom", [Yes(Day.AddDays(-30))]));
        Assert.Equal(Truth.True, TruthOf(Keyed(Fact("symptom") with { Since = "mri" }), facts));
        Assert.Equal(Truth.Unknown, TruthOf(Keyed(Fact("symptom") with { After = "mri" }), facts));
    }

    [Theory]
    [InlineData(300, Truth.Unknown)] // began before the window even though it runs into it
    [InlineData(100, Truth.True)]
    public void StartsWithin_NeedsTheStartInTheWindow(int daysAgo, Truth expected)
    {
        var facts = Facts(("care", [Yes(Day.AddDays(-daysAgo), Day)]));
        Assert.Equal(expected, TruthOf(Fact("care") with { StartsWithin = new Span(6, "month") }, facts));
    }

    [Theory]
    [InlineData(800, Truth.True)] // the only MRI is older than 2 years: none documented within them
    [InlineData(400, Truth.False)]
    public void DocumentedFalse_WithinWindow_IsDecidedByTheRecord(int daysAgo, Truth expected)
    {
        var facts = Facts(("mri", [Yes(Day.AddDays(-daysAgo))]));
        Assert.Equal(expected, TruthOf(Fact("mri") with { Within = new Span(2, "year"), Documented = false }, facts));
    }

    [Fact]
    public void DocumentedFalse_SilentRecord_IsTrue() =>
        Assert.Equal(Truth.True, TruthOf(Fact("a") with { Documented = false }, Facts()));

    [Fact]
    public void Evaluate_PrefersTheIndicationTheRecordAlreadyPointsTo()
    {
        var policy = PolicyOf(
            Indication("one-question", Fact("c")),
            Indication("started", new AllOf([Fact("a"), Fact("b"), Fact("symptom")])));
        var finding = Evaluate(policy, Facts(("a", [Yes()])));
        Assert.Equal("started", finding.Decisive.Single().Rule.Id);
        Assert.Equal(["b", "symptom"], finding.Missing.Select(m => m.Key));
    }

    [Fact]
    public void Evaluate_AFactEveryIndicationShares_DoesNotPointToAny()
    {
        // "a" (say, an in-person visit) is part of both; only "b" says which one the record points to.
        var policy = PolicyOf(
            Indication("first", new AllOf([Fact("a"), Fact("c")])),
            Indication("second", new AllOf([Fact("a"), Fact("b"), Fact("symptom")])));
        Assert.Equal("first", Evaluate(policy, Facts(("a", [Yes()]))).Decisive.Single().Rule.Id);
        Assert.Equal("second", Evaluate(policy, Facts(("a", [Yes()]), ("b", [Yes()]))).Decisive.Single().Rule.Id);
    }

    [Theory]
    [InlineData(64, Truth.False)]
    [InlineData(65, Truth.True)]
    public void Compare_UsesTheNumber(int age, Truth expected)
    {
        var facts = Facts(("age_years", [Yes() with { Number = age }]));
        Assert.Equal(expected, TruthOf(Fact("age_years") with { Compare = new Comparison(Relation.Ge, 65) }, facts));
    }

    [Fact]
    public void Compare_NoValue_IsUnknown() =>
        Assert.Equal(Truth.Unknown, TruthOf(Fact("age_years") with { Compare = new Comparison(Relation.Ge, 65) }, Facts()));

    [Theory]
    [InlineData("lumbar", Truth.True)]
    [InlineData("cervical", Truth.False)]
    public void In_MatchesChoice(string region, Truth expected) =>
        Assert.Equal(expected, TruthOf(Fact("order_region") with { In = ["lumbar"] }, Facts(("order_region", [Yes() with { Choice = region }]))));

    [Fact]
    public void Evaluate_DocumentedIndication_IsAppropriateWithItsCitation()
    {
        var finding = Evaluate(PolicyOf(Indication("one", Fact("a")), Indication("two", Fact("b"))), Facts(("a", [Yes()])));
        Assert.Equal(Verdict.Appropriate, finding.Verdict);
        Assert.Equal(["S-one Indication one"], finding.Criteria);
    }

    [Fact]
    public void Evaluate_ExclusionTriggered_IsNotAppropriate_EvenWithAnIndication()
    {
        var finding = Evaluate(PolicyOf(Indication("one", Fact("a")), Exclusion("x", Fact("mri"), Fact("symptom"))), Facts(("a", [Yes()]), ("mri", [Yes()])));
        Assert.Equal(Verdict.NotAppropriate, finding.Verdict);
        Assert.Equal(["X-x Exclusion x"], finding.Criteria);
    }

    [Fact]
    public void Evaluate_ExclusionWithDocumentedException_DoesNotApply()
    {
        var finding = Evaluate(PolicyOf(Indication("one", Fact("a")), Exclusion("x", Fact("mri"), Fact("symptom"))),
            Facts(("a", [Yes()]), ("mri", [Yes()]), ("symptom", [Yes()])));
        Assert.Equal(Verdict.Appropriate, finding.Verdict);
        Assert.True(finding.Trace.Single(r => r.Rule.Id == "x").ExceptionDocumented);
    }

    [Fact]
    public void Evaluate_ExclusionTriggerUnknown_NeverExcludes()
    {
        var finding = Evaluate(PolicyOf(Indication("one", Fact("a")), Exclusion("x", Fact("mri"))), Facts(("a", [Yes()])));
        Assert.Equal(Verdict.Appropriate, finding.Verdict);
    }

    [Fact]
    public void Evaluate_NothingDocumented_NeedsTheFewestFacts_TiesToTheFirstRule()
    {
        var policy = PolicyOf(
            Indication("long", new AllOf([Fact("a"), Fact("b")])),
            Indication("short", Fact("c")),
            Indication("also-short", Fact("symptom")));
        var finding = Evaluate(policy, Facts());
        Assert.Equal(Verdict.NeedsDocumentation, finding.Verdict);
        Assert.Equal(["c"], finding.Missing.Select(m => m.Key));
        Assert.Equal("short", finding.Decisive.Single().Rule.Id);
    }

    [Fact]
    public void Evaluate_PartlyDocumented_AsksOnlyForWhatIsMissing()
    {
        var finding = Evaluate(PolicyOf(Indication("both", new AllOf([Fact("a"), Fact("b"), Fact("c")]))), Facts(("a", [Yes()])));
        Assert.Equal(["b", "c"], finding.Missing.Select(m => m.Key));
        Assert.Equal("Is b documented?", finding.Missing[0].Question);
    }

    [Fact]
    public void Evaluate_EveryIndicationDocumentedFalse_IsNotAppropriate()
    {
        var finding = Evaluate(PolicyOf(Indication("one", Fact("a"))), Facts(("a", [No()])));
        Assert.Equal(Verdict.NotAppropriate, finding.Verdict);
    }

    [Fact]
    public void Evaluate_DeferredIndication_PromptsInsteadOfApproving()
    {
        var finding = Evaluate(PolicyOf(Indication("onc", Fact("a"), defersTo: "ONC-31.6")), Facts(("a", [Yes()])));
        Assert.Equal(Verdict.NeedsDocumentation, finding.Verdict);
        Assert.Contains(finding.Missing, m => m.DefersTo == "ONC-31.6");
    }

    [Fact]
    public void Evaluate_AnswerForTheTestKey_DecidesIt()
    {
        var test = Fact("care") with { Within = new Span(6, "month"), WeeksAtLeast = 6, Key = "care|within=6 months|weeks>=6" };
        var facts = new FactSet(
            new Dictionary<string, FactValue>(),
            new Dictionary<string, Answer> { [test.Key] = new(Truth.True, new Evidence("QuestionnaireResponse/1", "answered yes", null, test.Key, "2026-11-19", Attested: true), null) },
            Day,
            "lumbar");
        var finding = Evaluate(PolicyOf(Indication("care", test)), facts);
        Assert.Equal(Verdict.Appropriate, finding.Verdict);
        Assert.True(finding.Decisive.Single().Facts.Single().Evidence.Single().Attested);
    }

    private static Occurrence[] Occ(bool? value) => value switch
    {
        true => [Yes()],
        false => [No()],
        _ => [],
    };
}
