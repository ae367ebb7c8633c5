using System.Text.Json;
using System.Text.Json.Nodes;
using ImagingCds.Fhir;
using ImagingCds.Tests.Support;

namespace ImagingCds.Tests.Fhir;

public sealed class FhirJsonTests
{
    [Fact]
    public void ReadResource_ObservationValueQuantity_ReadsValueAndUnit()
    {
        var observation = Read<Observation>("""
            {"resourceType":"Observation","id":"o1","status":"final",
             "code":{"coding":[{"system":"http://loinc.org","code":"72514-3"}]},
             "effectiveDateTime":"2024-04-02T09:00:00Z",
             "valueQuantity":{"value":7.5,"unit":"{score}","system":"http://unitsofmeasure.org","code":"{score}"}}
            """);

        Assert.Equal(7.5m, observation.ValueQuantity?.Value);
        Assert.Equal("{score}", observation.ValueQuantity?.Code);
        Assert.Equal(new DateOnly(2024, 4, 2), observation.EffectiveDateTime?.Start);
        Assert.Null(observation.ValueCodeableConcept);
        Assert.Null(observation.ValueBoolean);
    }

    [Fact]
    public void ReadResource_ObservationValueCodeableConcept_ReadsCodings()
    {
        var observation = Read<Observation>("""
            {"resourceType":"Observation","id":"o2","status":"final",
             "valueCodeableConcept":{"coding":[{"system":"http://snomed.info/sct","code":"26544005","display":"Muscle weakness"}],"text":"weak"}}
            """);

        var coding = Assert.Single(observation.ValueCodeableConcept!.Coding!);
        Assert.Equal("26544005", coding.Code);
        Assert.Equal("weak", observation.ValueCodeableConcept.Text);
        Assert.Null(observation.ValueQuantity);
    }

    [Theory]
    [InlineData("true", true)]
    [InlineData("false", false)]
    public void ReadResource_ObservationValueBoolean_ReadsTheBoolean(string json, bool expected)
    {
        var observation = Read<Observation>($$"""{"resourceType":"Observation","id":"o3","valueBoolean":{{json}}}""");

        Assert.Equal(expected, observation.ValueBoolean);
    }

    [Fact]
    public void ReadResource_ConditionOnsetDateTime_ReadsPartialDate()
    {
        var condition = Read<Condition>("""{"resourceType":"Condition","id":"c","onsetDateTime":"2023-11"}""");

        Assert.Equal(new DateOnly(2023, 11, 1), condition.OnsetDateTime?.Start);
        Assert.Equal(new DateOnly(2023, 11, 30), condition.OnsetDateTime?.End);
        Assert.Null(condition.OnsetPeriod);
    }

    [Fact]
    public void ReadResource_ConditionOnsetPeriod_ReadsStartAndEnd()
    {
        var condition = Read<Condition>("""{"resourceType":"Condition","id":"c","onsetPeriod":{"start":"2024-01-10","end":"2024-02"}}""");

        Assert.Equal(new DateOnly(2024, 1, 10), condition.OnsetPeriod?.Start?.Start);
        Assert.Equal(new DateOnly(2024, 2, 29), condition.OnsetPeriod?.End?.End);
        Assert.Null(condition.OnsetDateTime);
    }

    [Fact]
    public void ReadResource_ConditionOnsetAge_ReadsAgeAsQuantity()
    {
        var condition = Read<Condition>("""
            {"resourceType":"Condition","id":"c","onsetAge":{"value":52,"unit":"years","system":"http://unitsofmeasure.org","code":"a"}}
            """);

        Assert.Equal(52m, condition.OnsetAge?.Value);
        Assert.Equal("a", condition.OnsetAge?.Code);
    }

    [Fact]
    public void ReadResource_ConditionOnsetString_ReadsText()
    {
        var condition = Read<Condition>("""{"resourceType":"Condition","id":"c","onsetString":"after a fall last winter"}""");

        Assert.Equal("after a fall last winter", condition.OnsetString);
        Assert.Null(condition.OnsetDateTime);
    }

    [Fact]
    public void ReadResource_ProcedurePerformedDateTime_ReadsTheDay()
    {
        var procedure = Read<Procedure>("""{"resourceType":"Procedure","id":"p","status":"completed","performedDateTime":"2024-03-01T14:00:00-06:00"}""");

        Assert.Equal(new DateOnly(2024, 3, 1), procedure.PerformedDateTime?.Start);
        Assert.Equal(DatePrecision.Time, procedure.PerformedDateTime?.Precision);
        Assert.Null(procedure.PerformedPeriod);
    }

    [Fact]
    public void ReadResource_ProcedurePerformedPeriod_ReadsStartAndEnd()
    {
        var procedure = Read<Procedure>("""{"resourceType":"Procedure","id":"p","performedPeriod":{"start":"2024-01-02","end":"2024-02-13"}}""");

        Assert.Equal(new DateOnly(2024, 1, 2), procedure.PerformedPeriod?.Start?.Start);
        Assert.Equal(new DateOnly(2024, 2, 13), procedure.PerformedPeriod?.End?.Start);
        Assert.Null(procedure.PerformedDateTime);
    }

    [Fact]
    public void ReadResource_MedicationRequestMedicationCodeableConcept_ReadsRxNorm()
    {
        var request = Read<MedicationRequest>("""
            {"resourceType":"MedicationRequest","id":"m","status":"active","intent":"order",
             "medicationCodeableConcept":{"coding":[{"system":"http://www.nlm.nih.gov/research/umls/rxnorm","code":"197806"}]},
             "subject":{"reference":"Patient/pat-1"},"authoredOn":"2024-04-01"}
            """);

        Assert.Equal("197806", Assert.Single(request.MedicationCodeableConcept!.Coding!).Code);
        Assert.Null(request.MedicationReference);
        Assert.Equal("Patient/pat-1", request.Subject?.ReferenceText);
    }

    [Fact]
    public void ReadResource_MedicationRequestMedicationReference_ReadsReference()
    {
        var request = Read<MedicationRequest>("""
            {"resourceType":"MedicationRequest","id":"m","medicationReference":{"reference":"Medication/med-9","display":"naproxen"}}
            """);

        Assert.Equal("Medication/med-9", request.MedicationReference?.ReferenceText);
        Assert.Equal("naproxen", request.MedicationReference?.Display);
        Assert.Null(request.MedicationCodeableConcept);
    }

    [Fact]
    public void ReadResource_MedicationStatementEffectivePeriod_ReadsStartAndEnd()
    {
        var statement = Read<MedicationStatement>("""
            {"resourceType":"MedicationStatement","id":"s","status":"completed","effectivePeriod":{"start":"2024-02","end":"2024-03-15"}}
            """);

        Assert.Equal(new DateOnly(2024, 2, 1), statement.EffectivePeriod?.Start?.Start);
        Assert.Equal(new DateOnly(2024, 3, 15), statement.EffectivePeriod?.End?.End);
        Assert.Null(statement.EffectiveDateTime);
    }

    [Theory]
    [InlineData("""
        {"resourceType":"Patient","id":"p1","birthDate":"1968-04-12",
         "_birthDate":{"extension":[{"url":"http://hl7.org/fhir/StructureDefinition/patient-birthTime","valueDateTime":"1968-04-12T06:15:00-05:00"}]},
         "name":[{"family":"Doe","given":["Jane","Q"],"_given":[null,{"extension":[{"url":"http://example.org/initial","valueBoolean":true}]}]}],
         "text":{"status":"generated","div":"<div xmlns=\"http://www.w3.org/1999/xhtml\">Jane</div>"}}
        """)]
    [InlineData("""
        {"resourceType":"Condition","id":"c1","meta":{"versionId":"3","tag":[{"system":"https://smarthealthit.org/tags","code":"x"}]},
         "code":{"coding":[{"system":"http://snomed.info/sct","code":"279039007","userSelected":true,"_display":{"extension":[{"url":"http://example.org/t","valueString":"lbp"}]}}]},
         "subject":{"reference":"Patient/p1"},"onsetDateTime":"2024","evidence":[{"detail":[{"reference":"Observation/o1"}]}],
         "extension":[{"url":"http://example.org/severity","valueDecimal":2.50},{"url":"http://example.org/nested","extension":[{"url":"a","valueCode":"b"}]}]}
        """)]
    [InlineData("""
        {"resourceType":"ServiceRequest","id":"sr1","status":"draft","intent":"order","_status":{"extension":[{"url":"http://example.org/why","valueString":"pending"}]},
         "code":{"coding":[{"system":"http://www.ama-assn.org/go/cpt","code":"72148"}]},"subject":{"reference":"Patient/p1"},
         "authoredOn":"2024-05-17T10:00:00Z","priority":"routine","supportingInfo":[{"reference":"Condition/c1"}],
         "extension":[{"url":"http://fhir.org/argonaut/Extension/pama-rating","valueCodeableConcept":{"coding":[{"system":"http://fhir.org/argonaut/CodeSystem/pama-rating","code":"appropriate"}]}}]}
        """)]
    [InlineData("""
        {"resourceType":"Observation","id":"o1","status":"final","valueQuantity":{"value":120.0,"unit":"mmHg"},
         "component":[{"code":{"text":"x"},"valueInteger":5,"valuePeriod":{"start":"2024"}}],"effectiveDateTime":"2024-05",
         "referenceRange":[{"low":{"value":1},"appliesTo":[{"text":"adult"}]}]}
        """)]
    public void Serialize_AfterRead_KeepsPrimitiveExtensionsAndUnknownElements(string json)
    {
        var element = Some.Element(json);
        var resource = FhirJson.ReadResource(element, "test", out var issue);
        Assert.Null(issue);
        Assert.NotNull(resource);

        var written = JsonNode.Parse(FhirJson.Serialize(resource));

        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(json), written), written?.ToJsonString());
    }

    [Fact]
    public void ReadResource_PrimitiveExtension_IsKeptInExtra()
    {
        var patient = Read<Patient>("""{"resourceType":"Patient","id":"p","_birthDate":{"extension":[{"url":"u","valueString":"s"}]}}""");

        Assert.Null(patient.BirthDate);
        Assert.True(patient.Extra?.ContainsKey("_birthDate"));
    }

    [Fact]
    public void Serialize_ResourceWithUnsetElements_WritesNoNull()
    {
        var condition = new Condition
        {
            ResourceType = "Condition",
            Id = "c1",
            Code = new CodeableConcept { Coding = [new Coding { System = "http://snomed.info/sct", Code = "279039007" }] },
            OnsetPeriod = new Period { Start = FhirDateTime.FromDate(new DateOnly(2024, 1, 2)) },
        };

        var written = FhirJson.Serialize(condition);

        Assert.True(JsonNode.DeepEquals(
            JsonNode.Parse("""{"resourceType":"Condition","id":"c1","code":{"coding":[{"system":"http://snomed.info/sct","code":"279039007"}]},"onsetPeriod":{"start":"2024-01-02"}}"""),
            JsonNode.Parse(written)), written);
    }

    [Fact]
    public void Serialize_ReadWithExplicitNulls_WritesNoNull()
    {
        var condition = Read<Condition>("""
            {"resourceType":"Condition","id":"c1","code":null,"onsetDateTime":null,"note":null,"subject":{"reference":null,"display":"Jane"},"foo":null}
            """);

        var written = FhirJson.Serialize(condition);

        Assert.DoesNotContain("null", written, StringComparison.Ordinal);
        Assert.True(JsonNode.DeepEquals(
            JsonNode.Parse("""{"resourceType":"Condition","id":"c1","subject":{"display":"Jane"}}"""),
            JsonNode.Parse(written)), written);
    }

    [Fact]
    public void Serialize_StaticTypeIsResource_WritesTheRuntimeType()
    {
        Resource resource = Read<Condition>("""{"resourceType":"Condition","id":"c1","onsetString":"spring"}""");

        var written = FhirJson.Serialize(resource);

        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""{"resourceType":"Condition","id":"c1","onsetString":"spring"}"""), JsonNode.Parse(written)), written);
    }

    [Fact]
    public void ToElement_Condition_IsTheSameJson()
    {
        var condition = Read<Condition>("""{"resourceType":"Condition","id":"c1","recordedDate":"2024-05-01"}""");

        var element = FhirJson.ToElement(condition);

        Assert.Equal(JsonValueKind.Object, element.ValueKind);
        Assert.Equal("2024-05-01", element.GetProperty("recordedDate").GetString());
        Assert.Equal("Condition", FhirJson.ResourceTypeOf(element));
    }

    [Theory]
    [InlineData("""{"resourceType":"Condition","id":"c","clinicalStatus":{"coding":[{"code":"active"}]},"status":5,"code":{"coding":[{"code":5}]}}""", "code.coding[0].code")]
    [InlineData("""{"resourceType":"Procedure","id":"p","status":5}""", "status")]
    [InlineData("""{"resourceType":"Observation","id":"o","valueBoolean":"yes"}""", "valueBoolean")]
    [InlineData("""{"resourceType":"Observation","id":"o","valueQuantity":{"value":"7.5"}}""", "valueQuantity.value")]
    [InlineData("""{"resourceType":"Observation","id":"o","category":{"text":"not an array"}}""", "category")]
    [InlineData("""{"resourceType":"Condition","id":5}""", "id")]
    [InlineData("""{"resourceType":"MedicationRequest","id":"m","dispenseRequest":{"numberOfRepeatsAllowed":1.5}}""", "dispenseRequest.numberOfRepeatsAllowed")]
    public void ReadResource_ElementOfWrongJsonType_GivesMalformedResourceIssueNamingTheElement(string json, string element)
    {
        var resource = FhirJson.ReadResource(Some.Element(json), "prefetch.x", out var issue);

        Assert.Null(resource);
        Assert.NotNull(issue);
        Assert.Equal("malformed-resource", issue.Code);
        Assert.Equal($"prefetch.x.{element}", issue.Location);
    }

    [Fact]
    public void ReadResource_NullsInsideListsOfElements_AreDropped()
    {
        var coverage = Read<Coverage>("""{"resourceType":"Coverage","id":"v","payor":[null,{"display":"Cigna"},null],"type":{"coding":[null]}}""");
        var condition = Read<Condition>("""{"resourceType":"Condition","id":"c","code":{"coding":[{"code":"M54.16"},null]},"extension":[null],"note":[null,{"text":"n"}]}""");

        Assert.Equal(["Cigna"], coverage.Payor!.Select(p => p.Display));
        Assert.Empty(coverage.Type!.Coding!);
        Assert.Equal(["M54.16"], condition.Code!.Coding!.Select(c => c.Code));
        Assert.Empty(condition.Extension!);
        Assert.Equal(["n"], condition.Note!.Select(n => n.Text));
    }

    [Fact]
    public void ReadResource_StatusIsNumber_IssueMessageDoesNotRepeatTheValue()
    {
        FhirJson.ReadResource(Some.Element("""{"resourceType":"Procedure","id":"p","status":123456789}"""), "prefetch.procedures", out var issue);

        Assert.NotNull(issue);
        Assert.Equal("prefetch.procedures.status", issue.Location);
        Assert.DoesNotContain("123456789", issue.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("AllergyIntolerance")]
    [InlineData("DiagnosticReport")]
    [InlineData("condition")]
    public void ReadResource_UnsupportedResourceType_GivesUnsupportedResourceTypeIssue(string type)
    {
        var resource = FhirJson.ReadResource(Some.Element($$"""{"resourceType":"{{type}}","id":"a"}"""), "prefetch.other", out var issue);

        Assert.Null(resource);
        Assert.Equal("unsupported-resource-type", issue?.Code);
        Assert.Equal("prefetch.other", issue?.Location);
        Assert.Contains(type, issue?.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"id":"a"}""")]
    [InlineData("""{"resourceType":5}""")]
    [InlineData("""["Condition"]""")]
    [InlineData("\"Condition\"")]
    [InlineData("null")]
    public void ReadResource_NotAResource_GivesNotAResourceIssue(string json)
    {
        var resource = FhirJson.ReadResource(Some.Element(json), "here", out var issue);

        Assert.Null(resource);
        Assert.Equal("not-a-resource", issue?.Code);
        Assert.Equal("here", issue?.Location);
    }

    [Fact]
    public void ReadBundle_SearchsetBundle_KeepsEntriesAsJson()
    {
        var bundle = FhirJson.ReadBundle(Some.Element(Some.Bundle(Some.Condition("c1"), Some.Condition("c2"))), "prefetch.conditions", out var issue);

        Assert.Null(issue);
        Assert.NotNull(bundle);
        Assert.Equal("searchset", bundle.Type);
        Assert.Equal(["c1", "c2"], bundle.Entry!.Select(e => e.Resource!.Value.GetProperty("id").GetString()));
    }

    [Fact]
    public void ReadBundle_AnotherResourceType_ReturnsNullWithIssue()
    {
        var bundle = FhirJson.ReadBundle(Some.Element(Some.Condition()), "prefetch.conditions", out var issue);

        Assert.Null(bundle);
        Assert.NotNull(issue);
        Assert.Equal("prefetch.conditions", issue.Location);
    }

    [Theory]
    [InlineData("""{"resourceType":"Condition"}""", "Condition")]
    [InlineData("""{"resourceType":5}""", null)]
    [InlineData("""{"id":"x"}""", null)]
    [InlineData("[]", null)]
    public void ResourceTypeOf_Json_IsTheStringResourceTypeOrNull(string json, string? expected) =>
        Assert.Equal(expected, FhirJson.ResourceTypeOf(Some.Element(json)));

    private static T Read<T>(string json)
        where T : Resource
    {
        var resource = FhirJson.ReadResource(Some.Element(json), "test", out var issue);
        Assert.Null(issue);
        return Assert.IsType<T>(resource);
    }
}
