using System.Text.Json;
using System.Text.Json.Nodes;
using ImagingCds.Facts;
using ImagingCds.Hooks;
using ImagingCds.Record;
using ImagingCds.Tests.Support;

namespace ImagingCds.Tests.Facts;

public sealed class FactDeriverTests : IDisposable
{
    private static readonly DateOnly Day = new(2026, 11, 20);
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "imagingcds-facts-" + Guid.NewGuid().ToString("N"));
    private readonly FactCatalog _catalog;

    public FactDeriverTests()
    {
        Directory.CreateDirectory(Path.Combine(_folder, "terminology"));
        Directory.CreateDirectory(Path.Combine(_folder, "facts"));
        File.WriteAllText(Path.Combine(_folder, "terminology", "t.yaml"), """
            value_sets:
              - id: foot-drop
                source: test
                include:
                  - { system: icd10cm, prefixes: [M21.37] }
                  - { system: snomed, codes: ["6077001"] }
              - id: cancer
                source: test
                include: [ { system: icd10cm, prefixes: [C50, C61] } ]
              - id: pt
                source: test
                include: [ { system: cpt, codes: ["97110"] } ]
              - id: nsaid
                source: test
                include: [ { system: rxnorm, codes: ["5640", "197806", "206878"] } ]
              - id: wbc
                source: test
                include: [ { system: loinc, codes: ["6690-2"] } ]
              - id: order-region-lumbar
                source: test
                include: [ { system: cpt, codes: ["72148"] } ]
            """);
        File.WriteAllText(Path.Combine(_folder, "facts", "f.yaml"), """
            facts:
              - { id: foot_drop, question: Foot drop?, derive: { conditions: [foot-drop] } }
              - { id: foot_drop_suspected, question: Suspected foot drop?, derive: { conditions: [foot-drop], verification: suspected } }
              - { id: cancer_history, question: Cancer history?, derive: { conditions: [cancer], status: history } }
              - { id: physical_therapy, question: PT?, derive: { procedures: [pt] } }
              - { id: nsaid, question: NSAID?, derive: { medications: [nsaid] } }
              - { id: wbc_high, question: High WBC?, derive: { measurement: { codes: [wbc], above: 11 } } }
              - { id: visit, question: In-person visit?, derive: { encounter_classes: [AMB] } }
              - { id: care, question: Care?, derive: { union: [physical_therapy, nsaid] } }
              - { id: age_years, question: Age?, type: number, derive: { builtin: age_years } }
              - { id: order_region, question: Region?, type: choice, derive: { builtin: order_region } }
              - { id: failed, question: Did care fail? }
            """);
        _catalog = FactCatalog.Load(Path.Combine(_folder, "facts"), Terminology.Load(Path.Combine(_folder, "terminology")));
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private FactSet Derive(params JsonObject[] resources) => DeriveFor(null, resources);

    private FactSet DeriveFor(JsonObject? order, params JsonObject[] resources)
    {
        var builder = new RecordBuilder(Some.PatientId);
        builder.AddJson(JsonSerializer.SerializeToElement(new JsonObject { ["resourceType"] = "Patient", ["id"] = Some.PatientId, ["birthDate"] = "1961-11-20" }), "patient");
        foreach (var resource in resources)
        {
            resource["subject"] ??= new JsonObject { ["reference"] = $"Patient/{Some.PatientId}" };
            builder.AddJson(JsonSerializer.SerializeToElement(resource), "test");
        }

        var bundle = JsonSerializer.SerializeToElement(Some.Bundle("collection", order ?? Some.SpineMriOrder(authoredOn: "2026-11-20")));
        var draft = DraftOrders.InScope(bundle, new HashSet<string> { "72148" }, Day).Single();
        return FactDeriver.Derive(builder.Build(), draft, _catalog);
    }

    private static JsonObject Condition(string system, string code, string clinical = "active", string verification = "confirmed", string? onset = "2026-11-15") => new()
    {
        ["resourceType"] = "Condition",
        ["id"] = $"c-{code}-{clinical}-{verification}",
        ["clinicalStatus"] = Concept("http://terminology.hl7.org/CodeSystem/condition-clinical", clinical),
        ["verificationStatus"] = Concept("http://terminology.hl7.org/CodeSystem/condition-ver-status", verification),
        ["code"] = Concept(system, code),
        ["onsetDateTime"] = onset,
    };

    private static JsonObject Concept(string system, string code) => new() { ["coding"] = new JsonArray(new JsonObject { ["system"] = system, ["code"] = code }) };

    [Theory]
    [InlineData(CodeSystems.Icd10Cm, "M21.372")]
    [InlineData(CodeSystems.Icd10Cm, "M21372")] // ICD-10-CM without its dot
    [InlineData(CodeSystems.Snomed, "6077001")]
    public void Condition_EachCodeSystemPath_IsDocumentedTrue(string system, string code) =>
        Assert.Equal(Truth.True, Derive(Condition(system, code)).Get("foot_drop").Presence);

    [Fact]
    public void Condition_OtherCodeOrDisplayOnly_IsNotDocumented()
    {
        var displayOnly = new JsonObject { ["resourceType"] = "Condition", ["id"] = "d", ["code"] = new JsonObject { ["text"] = "foot drop" } };
        Assert.Equal(Truth.Unknown, Derive(displayOnly, Condition(CodeSystems.Icd10Cm, "M54.5")).Get("foot_drop").Presence);
    }

    [Fact]
    public void Condition_Refuted_IsDocumentedFalse() =>
        Assert.Equal(Truth.False, Derive(Condition(CodeSystems.Icd10Cm, "M21.372", verification: "refuted")).Get("foot_drop").Presence);

    [Fact]
    public void Condition_EnteredInError_IsIgnored() =>
        Assert.Equal(Truth.Unknown, Derive(Condition(CodeSystems.Icd10Cm, "M21.372", verification: "entered-in-error")).Get("foot_drop").Presence);

    [Fact]
    public void Condition_Provisional_IsSuspectedNotConfirmed()
    {
        var facts = Derive(Condition(CodeSystems.Icd10Cm, "M21.372", verification: "provisional"));
        Assert.Equal(Truth.Unknown, facts.Get("foot_drop").Presence);
        Assert.Equal(Truth.True, facts.Get("foot_drop_suspected").Presence);
    }

    [Theory]
    [InlineData("resolved", Truth.True)]
    [InlineData("remission", Truth.True)]
    [InlineData("active", Truth.Unknown)]
    public void Condition_HistoryFacts_CountOnlyInactiveStatuses(string status, Truth expected) =>
        Assert.Equal(expected, Derive(Condition(CodeSystems.Icd10Cm, "C50.911", clinical: status)).Get("cancer_history").Presence);

    [Fact]
    public void Condition_AnotherPatients_IsDropped()
    {
        var other = Condition(CodeSystems.Icd10Cm, "M21.372");
        other["subject"] = new JsonObject { ["reference"] = "Patient/someone-else" };
        Assert.Equal(Truth.Unknown, Derive(other).Get("foot_drop").Presence);
    }

    [Fact]
    public void Condition_OnsetDate_IsTheOccurrenceDate() =>
        Assert.Equal(new DateOnly(2026, 11, 15), Derive(Condition(CodeSystems.Icd10Cm, "M21.372")).Get("foot_drop").Occurrences.Single().Start);

    [Fact]
    public void OrderReason_CountsAsEvidence()
    {
        var order = Some.SpineMriOrder(authoredOn: "2026-11-20");
        order["reasonCode"] = new JsonArray(Concept(CodeSystems.Icd10Cm, "M21.371"));
        var occurrence = DeriveFor(order).Get("foot_drop").Occurrences.Single();
        Assert.True(occurrence.Positive);
        Assert.Equal("ServiceRequest/sr-1", occurrence.Evidence.Reference);
    }

    [Fact]
    public void ExamFinding_AbsentValue_IsDocumentedFalse()
    {
        var absent = new JsonObject
        {
            ["resourceType"] = "Observation", ["id"] = "o1", ["status"] = "final", ["code"] = Concept(CodeSystems.Snomed, "6077001"),
            ["valueBoolean"] = false, ["effectiveDateTime"] = "2026-11-18",
        };
        Assert.Equal(Truth.False, Derive(absent).Get("foot_drop").Presence);
    }

    [Theory]
    [InlineData("completed", Truth.True)]
    [InlineData("not-done", Truth.False)]
    [InlineData("entered-in-error", Truth.Unknown)]
    public void Procedure_Status(string status, Truth expected)
    {
        var procedure = new JsonObject
        {
            ["resourceType"] = "Procedure", ["id"] = "p1", ["status"] = status, ["code"] = Concept(CodeSystems.Cpt, "97110"),
            ["performedPeriod"] = new JsonObject { ["start"] = "2026-09-01", ["end"] = "2026-10-13" },
        };
        Assert.Equal(expected, Derive(procedure).Get("physical_therapy").Presence);
    }

    [Theory]
    [InlineData("5640")] // ibuprofen, ingredient
    [InlineData("197806")] // ibuprofen 600 MG Oral Tablet, clinical drug
    [InlineData("206878")] // Motrin 600 MG Oral Tablet, branded drug
    public void Medication_IngredientClinicalAndBrandedCodes_Match(string rxnorm)
    {
        var request = new JsonObject
        {
            ["resourceType"] = "MedicationRequest", ["id"] = "m1", ["status"] = "completed", ["intent"] = "order",
            ["medicationCodeableConcept"] = Concept(CodeSystems.RxNorm, rxnorm), ["authoredOn"] = "2026-09-01",
            ["dispenseRequest"] = new JsonObject { ["expectedSupplyDuration"] = new JsonObject { ["value"] = 30, ["unit"] = "days", ["code"] = "d" } },
        };
        var course = Derive(request).Get("nsaid").Occurrences.Single();
        Assert.Equal(new DateOnly(2026, 9, 1), course.Start);
        Assert.Equal(new DateOnly(2026, 10, 1), course.End);
    }

    [Fact]
    public void Medication_ActiveWithoutEnd_RunsToTheEvaluationDate()
    {
        var statement = new JsonObject
        {
            ["resourceType"] = "MedicationStatement", ["id"] = "s1", ["status"] = "active",
            ["medicationCodeableConcept"] = Concept(CodeSystems.RxNorm, "5640"), ["effectivePeriod"] = new JsonObject { ["start"] = "2026-10-01" },
        };
        Assert.Equal(Day, Derive(statement).Get("nsaid").Occurrences.Single().End);
    }

    [Theory]
    [InlineData("11.2", Truth.True)]
    [InlineData("11", Truth.False)] // "above 11" is strict
    public void Measurement_ThresholdIsStrict(string value, Truth expected)
    {
        var lab = new JsonObject
        {
            ["resourceType"] = "Observation", ["id"] = "l1", ["status"] = "final", ["code"] = Concept(CodeSystems.Loinc, "6690-2"),
            ["valueQuantity"] = new JsonObject { ["value"] = decimal.Parse(value, System.Globalization.CultureInfo.InvariantCulture) },
            ["effectiveDateTime"] = "2026-11-10",
        };
        Assert.Equal(expected, Derive(lab).Get("wbc_high").Presence);
    }

    [Fact]
    public void Measurement_CancelledResult_IsIgnored()
    {
        var lab = new JsonObject
        {
            ["resourceType"] = "Observation", ["id"] = "l1", ["status"] = "cancelled", ["code"] = Concept(CodeSystems.Loinc, "6690-2"),
            ["valueQuantity"] = new JsonObject { ["value"] = 20 },
        };
        Assert.Equal(Truth.Unknown, Derive(lab).Get("wbc_high").Presence);
    }

    [Fact]
    public void Union_CollectsEveryMembersOccurrences()
    {
        var pt = new JsonObject { ["resourceType"] = "Procedure", ["id"] = "p1", ["status"] = "completed", ["code"] = Concept(CodeSystems.Cpt, "97110"), ["performedDateTime"] = "2026-10-01" };
        var med = new JsonObject { ["resourceType"] = "MedicationStatement", ["id"] = "s1", ["status"] = "completed", ["medicationCodeableConcept"] = Concept(CodeSystems.RxNorm, "5640"), ["effectiveDateTime"] = "2026-09-01" };
        Assert.Equal(2, Derive(pt, med).Get("care").Occurrences.Count);
    }

    [Theory]
    [InlineData("1961-11-20", 65)] // birthday on the evaluation date counts
    [InlineData("1961-11-21", 64)]
    public void AgeYears_WholeYearsAtTheEvaluationDate(string birth, int age) =>
        Assert.Equal(age, FactDeriver.AgeInYears(DateOnly.Parse(birth, System.Globalization.CultureInfo.InvariantCulture), Day));

    [Fact]
    public void OrderRegion_FromTheCptValueSet() =>
        Assert.Equal("lumbar", Derive().Get("order_region").Occurrences.Single().Choice);

    [Fact]
    public void AskedFact_IsUnknownUntilAnswered_ThenTheAnswerDecides()
    {
        Assert.Equal(Truth.Unknown, Derive().Get("failed").Presence);
        var answered = new JsonObject
        {
            ["resourceType"] = "QuestionnaireResponse", ["id"] = "qr1", ["status"] = "completed", ["authored"] = "2026-11-19",
            ["item"] = new JsonArray(new JsonObject { ["linkId"] = "failed", ["answer"] = new JsonArray(new JsonObject { ["valueBoolean"] = false }) }),
        };
        var answer = Derive(answered).Answers["failed"];
        Assert.Equal(Truth.False, answer.Truth);
        Assert.True(answer.Evidence.Attested);
    }

    [Fact]
    public void Answer_InProgressResponse_IsNotAFact()
    {
        var draft = new JsonObject
        {
            ["resourceType"] = "QuestionnaireResponse", ["id"] = "qr1", ["status"] = "in-progress",
            ["item"] = new JsonArray(new JsonObject { ["linkId"] = "failed", ["answer"] = new JsonArray(new JsonObject { ["valueBoolean"] = true }) }),
        };
        Assert.False(Derive(draft).Answers.ContainsKey("failed"));
    }
}
