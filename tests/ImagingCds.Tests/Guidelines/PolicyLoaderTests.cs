using ImagingCds.Facts;
using ImagingCds.Guidelines;
using ImagingCds.Tests.Support;

namespace ImagingCds.Tests.Guidelines;

public sealed class PolicyLoaderTests
{
    private static readonly FactCatalog Catalog = new(
        new Dictionary<string, FactDefinition>
        {
            ["foot_drop"] = new("foot_drop", "Foot drop?", FactType.Boolean, [], new Derivation(), null, null, "test", 1),
            ["age_years"] = new("age_years", "Age?", FactType.Number, [], new Derivation(), null, null, "test", 1),
        },
        new Terminology(new Dictionary<string, ValueSet>()));

    private const string Header = """
        id: test-policy
        payer: Test Payer
        title: Test
        version: "1"
        effective: "2026-01-01"
        source: seed.txt
        cpt: ["72148"]

        """;

    private static DataFileException LoadError(string body)
    {
        using var file = TempFile.With("test-policy.yaml", Header + body);
        return Assert.Throws<DataFileException>(() => PolicyLoader.Load(file.Path, Catalog));
    }

    [Fact]
    public void Load_ValidPolicy_ReadsRulesDefinitionsAndTests()
    {
        using var file = TempFile.With("ok.yaml", Header + """
            definitions:
              - id: red_flag
                title: Red flag
                section: SP-1.2
                when: { any: [ foot_drop, { fact: age_years, ge: 65 } ] }
            rules:
              - id: red-flag
                kind: indication
                title: Red flag
                section: SP-1.2
                regions: [lumbar]
                when: { ref: red_flag }
              - id: repeat
                kind: exclusion
                title: Repeat
                section: SP-1.0
                when: { fact: foot_drop, within: 3 months }
                unless: [ { fact: foot_drop, older_than: 6 weeks } ]
            """);
        var policy = PolicyLoader.Load(file.Path, Catalog);
        Assert.Equal("test-policy", policy.Id);
        Assert.Equal(2, policy.Rules.Count);
        var repeat = policy.Rules[1];
        Assert.Equal(RuleKind.Exclusion, repeat.Kind);
        var trigger = Assert.IsType<FactTest>(repeat.When);
        Assert.Equal(new Span(3, "month"), trigger.Within);
        Assert.Equal("foot_drop|within=3 months", trigger.Key);
        Assert.Single(repeat.Unless);
    }

    [Fact]
    public void Load_UnknownFact_NamesFileLineAndRule()
    {
        var error = LoadError("""
            rules:
              - id: r1
                kind: indication
                title: R1
                section: S1
                when: { fact: no_such_fact }
            """);
        Assert.Contains("test-policy.yaml:", error.Message, StringComparison.Ordinal);
        Assert.Contains("r1", error.Message, StringComparison.Ordinal);
        Assert.Contains("unknown fact 'no_such_fact'", error.Message, StringComparison.Ordinal);
        Assert.Equal(13, error.Line); // the `when:` line of rule r1
    }

    [Fact]
    public void Load_DuplicateRuleId_Fails() =>
        Assert.Contains("duplicate rule id", LoadError("""
            rules:
              - { id: r1, kind: indication, title: R1, section: S1, when: foot_drop }
              - { id: r1, kind: indication, title: R1 again, section: S1, when: foot_drop }
            """).Message, StringComparison.Ordinal);

    [Fact]
    public void Load_MissingCitation_Fails() =>
        Assert.Contains("must cite the section", LoadError("""
            rules:
              - { id: r1, kind: indication, title: R1, when: foot_drop }
            """).Message, StringComparison.Ordinal);

    [Theory]
    [InlineData("{ all: [] }", "non-empty list")]
    [InlineData("{ every: [foot_drop] }", "unknown condition 'every'")]
    [InlineData("{ all: [foot_drop], any: [foot_drop] }", "a condition is one of")]
    [InlineData("{ at_least: 3, of: [foot_drop] }", "between 1 and the number of items")]
    [InlineData("{ fact: foot_drop, within: soon }", "must be a span")]
    [InlineData("{ fact: foot_drop, ge: 3 }", "not a number fact")]
    [InlineData("{ ref: nowhere }", "not a definition of this policy")]
    [InlineData("{ fact: foot_drop, when: 3 }", "unknown key 'when'")]
    public void Load_MalformedTree_SaysWhatIsWrong(string when, string expected) =>
        Assert.Contains(expected, LoadError($"""
            rules:
              - id: r1
                kind: indication
                title: R1
                section: S1
                when: {when}
            """).Message, StringComparison.Ordinal);

    [Fact]
    public void Load_InvalidYaml_NamesTheLine() =>
        Assert.Contains("invalid YAML", LoadError("rules: [ { id: r1\n").Message, StringComparison.Ordinal);
}
