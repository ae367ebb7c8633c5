using System.Text.Json;
using System.Text.Json.Nodes;
using ImagingCds.Record;
using ImagingCds.Tests.Support;

namespace ImagingCds.Tests.Record;

public sealed class PrefetchSourceTests
{
    private static readonly IReadOnlySet<string> Everything = new HashSet<string>(RecordParts.All, StringComparer.Ordinal);

    [Fact]
    public async Task ReadAsync_KeyAbsent_DoesNotCoverThePart()
    {
        var builder = await Read(new JsonObject { ["patient"] = Some.Patient() });

        Assert.DoesNotContain("Condition", builder.Covered);
        Assert.Empty(builder.Build().Conditions);
    }

    [Fact]
    public async Task ReadAsync_NoPrefetchAtAll_CoversNothing()
    {
        var builder = await Read(new JsonObject());

        Assert.Empty(builder.Covered);
        Assert.Empty(builder.Build().Issues);
    }

    [Fact]
    public async Task ReadAsync_NullValue_CoversThePartWithNoResources()
    {
        var builder = await Read(new JsonObject { ["conditions"] = null });

        Assert.Equal(["Condition"], builder.Covered);
        var record = builder.Build();
        Assert.Empty(record.Conditions);
        Assert.Empty(record.Issues);
    }

    [Fact]
    public async Task ReadAsync_NullValueUnderUnknownKey_CoversNothing()
    {
        var builder = await Read(new JsonObject { ["allergies"] = null });

        Assert.Empty(builder.Covered);
    }

    [Fact]
    public async Task ReadAsync_SingleResource_IsReadAndCovered()
    {
        var builder = await Read(new JsonObject { ["patient"] = Some.Patient() });

        Assert.Contains("Patient", builder.Covered);
        var record = builder.Build();
        Assert.Equal(Some.PatientId, record.Patient?.Id);
        Assert.Equal(new DateOnly(1968, 4, 12), record.Patient?.BirthDate?.Start);
    }

    [Fact]
    public async Task ReadAsync_SearchsetBundle_ReadsEveryEntryAndCovers()
    {
        var builder = await Read(new JsonObject { ["conditions"] = Some.Bundle(Some.Condition("c1"), Some.Condition("c2")) });

        Assert.Contains("Condition", builder.Covered);
        Assert.Equal(["c1", "c2"], builder.Build().Conditions.Select(c => c.Id));
    }

    [Fact]
    public async Task ReadAsync_EmptySearchsetBundle_CoversThePart()
    {
        var builder = await Read(new JsonObject { ["procedures"] = Some.Bundle() });

        Assert.Equal(["Procedure"], builder.Covered);
        Assert.Empty(builder.Build().Procedures);
    }

    [Theory]
    [InlineData("error")]
    [InlineData("fatal")]
    public async Task ReadAsync_BundleWithFailedOperationOutcome_IsNotCoveredAndRecordsTheIssue(string severity)
    {
        var builder = await Read(new JsonObject { ["observations"] = Some.Bundle(Some.OperationOutcome(severity)) });

        Assert.DoesNotContain("Observation", builder.Covered);
        var issues = builder.Build().Issues;
        Assert.Contains(issues, i => i.Code == "prefetch-failed" && i.Location == "prefetch.observations");
        Assert.Contains(issues, i => i.Code == $"operation-outcome-{severity}");
    }

    [Fact]
    public async Task ReadAsync_PartialResultsWithFailedOperationOutcome_KeepsThemButIsNotCovered()
    {
        var builder = await Read(new JsonObject
        {
            ["conditions"] = Some.Bundle(Some.Condition("c1"), Some.OperationOutcome("error")),
        });

        Assert.DoesNotContain("Condition", builder.Covered);
        var record = builder.Build();
        Assert.Equal("c1", Assert.Single(record.Conditions).Id);
        Assert.Contains(record.Issues, i => i.Code == "prefetch-failed");
    }

    [Fact]
    public async Task ReadAsync_FailedKeyBesideAGoodKeyOfTheSameType_IsCoveredByTheGoodKey()
    {
        var builder = await Read(new JsonObject
        {
            ["conditions"] = Some.Bundle(Some.Condition("c1")),
            ["siteSpecificKey"] = Some.Bundle(Some.Condition("c2"), Some.OperationOutcome("error")),
        });

        Assert.Contains("Condition", builder.Covered);
        Assert.Equal(["c1", "c2"], builder.Build().Conditions.Select(c => c.Id));
    }

    [Fact]
    public async Task ReadAsync_BareFailedOperationOutcome_IsNotCovered()
    {
        var builder = await Read(new JsonObject { ["conditions"] = Some.OperationOutcome("error") });

        Assert.DoesNotContain("Condition", builder.Covered);
        Assert.Contains(builder.Build().Issues, i => i.Code == "prefetch-failed" && i.Location == "prefetch.conditions");
    }

    [Theory]
    [InlineData("warning")]
    [InlineData("information")]
    public async Task ReadAsync_BundleWithOperationOutcomeWarning_IsCoveredAndKeepsResources(string severity)
    {
        var builder = await Read(new JsonObject
        {
            ["conditions"] = Some.Bundle(Some.Condition("c1"), Some.OperationOutcome(severity)),
        });

        Assert.Contains("Condition", builder.Covered);
        var record = builder.Build();
        Assert.Equal("c1", Assert.Single(record.Conditions).Id);
        Assert.DoesNotContain(record.Issues, i => i.Code == "prefetch-failed");
        Assert.Contains(record.Issues, i => i.Code == $"operation-outcome-{severity}");
    }

    [Theory]
    [InlineData("\"Condition?patient=pat-1\"")]
    [InlineData("42")]
    [InlineData("true")]
    [InlineData("""[{"resourceType":"Condition","id":"c1"}]""")]
    [InlineData("""{"entry":[{"resource":{"resourceType":"Condition","id":"c1"}}]}""")]
    [InlineData("""{"resourceType":7}""")]
    public async Task ReadAsync_ValueNotFhir_IsReportedAndNotCovered(string json)
    {
        var builder = await Read(new Dictionary<string, JsonElement> { ["conditions"] = Some.Element(json) });

        Assert.Empty(builder.Covered);
        var issue = Assert.Single(builder.Build().Issues);
        Assert.Equal("prefetch-not-fhir", issue.Code);
        Assert.Equal("prefetch.conditions", issue.Location);
    }

    [Theory]
    [InlineData("https://ehr.example.org/fhir/r4/Condition?patient=pat-1&_count=100", "Condition")]
    [InlineData("Condition?patient=pat-1", "Condition")]
    [InlineData("https://ehr.example.org/fhir/MedicationStatement?subject=Patient/pat-1", "MedicationStatement")]
    [InlineData("/fhir/Encounter?patient=pat-1", "Encounter")]
    public async Task ReadAsync_BundleUnderUnknownKeyWithSelfLink_CoversTheLinkedType(string self, string type)
    {
        var bundle = Some.Bundle();
        bundle["link"] = new JsonArray(
            new JsonObject { ["relation"] = "next", ["url"] = "https://ehr.example.org/fhir/Patient?page=2" },
            new JsonObject { ["relation"] = "self", ["url"] = self });

        var builder = await Read(new JsonObject { ["siteSpecificKey"] = bundle });

        Assert.Equal([type], builder.Covered);
    }

    [Fact]
    public async Task ReadAsync_BundleUnderUnknownKeyWithoutSelfLink_CoversOnlyWhatItHolds()
    {
        var builder = await Read(new JsonObject { ["siteSpecificKey"] = Some.Bundle(Some.Condition("c1")) });

        Assert.DoesNotContain("Observation", builder.Covered);
        Assert.Equal("c1", Assert.Single(builder.Build().Conditions).Id);
    }

    [Fact]
    public async Task ReadAsync_SelfLinkWithOddShapes_IsNoFailure()
    {
        var bundle = Some.Bundle(Some.Condition("c1"));
        bundle["link"] = new JsonArray(
            "self",
            new JsonObject { ["relation"] = 5, ["url"] = "Condition?patient=pat-1" },
            new JsonObject { ["relation"] = "self", ["url"] = 5 },
            new JsonObject { ["relation"] = "self", ["url"] = "Observation?patient=pat-1" });

        var builder = await Read(new JsonObject { ["siteSpecificKey"] = bundle });

        Assert.Contains("Observation", builder.Covered);
    }

    [Fact]
    public async Task ReadAsync_OperationOutcomeWithOddSeverity_IsNoFailure()
    {
        var outcome = new JsonObject
        {
            ["resourceType"] = "OperationOutcome",
            ["issue"] = new JsonArray(new JsonObject { ["severity"] = 5 }, "x", new JsonObject { ["severity"] = null }),
        };

        var builder = await Read(new JsonObject { ["conditions"] = Some.Bundle(Some.Condition("c1"), outcome) });

        Assert.Contains("Condition", builder.Covered);
        Assert.Equal("c1", Assert.Single(builder.Build().Conditions).Id);
    }

    [Theory]
    [InlineData("Patient/other")]
    [InlineData("https://ehr.example.org/fhir/Patient/other")]
    [InlineData("https://ehr.example.org/fhir/Patient/other/_history/3")]
    public async Task ReadAsync_ResourceAboutAnotherPatient_IsDroppedAndCounted(string subject)
    {
        var builder = await Read(new JsonObject
        {
            ["conditions"] = Some.Bundle(Some.Condition("mine"), Some.Condition("theirs", subject)),
        });

        var record = builder.Build();
        Assert.Equal("mine", Assert.Single(record.Conditions).Id);
        Assert.Equal(1, record.ForeignResourcesDropped);
    }

    [Fact]
    public async Task ReadAsync_AbsoluteReferenceToThisPatient_IsKept()
    {
        var builder = await Read(new JsonObject
        {
            ["conditions"] = Some.Bundle(Some.Condition("c1", $"https://ehr.example.org/fhir/Patient/{Some.PatientId}")),
        });

        var record = builder.Build();
        Assert.Single(record.Conditions);
        Assert.Equal(0, record.ForeignResourcesDropped);
    }

    [Fact]
    public async Task ReadAsync_AnotherPatientsPatientResource_IsDropped()
    {
        var builder = await Read(new JsonObject { ["patient"] = Some.Patient("other") });

        var record = builder.Build();
        Assert.Null(record.Patient);
        Assert.Equal(1, record.ForeignResourcesDropped);
    }

    [Fact]
    public async Task ReadAsync_SameResourceUnderTwoKeys_IsKeptOnce()
    {
        var builder = await Read(new JsonObject
        {
            ["conditions"] = Some.Bundle(Some.Condition("c1"), Some.Condition("c1")),
            ["siteSpecificKey"] = Some.Bundle(Some.Condition("c1"), Some.Condition("c2")),
        });

        Assert.Equal(["c1", "c2"], builder.Build().Conditions.Select(c => c.Id));
    }

    [Fact]
    public async Task ReadAsync_MalformedEntry_IsAnIssueAndTheRestIsRead()
    {
        var broken = Some.Condition("bad");
        broken["onsetString"] = 5;

        var builder = await Read(new JsonObject { ["conditions"] = Some.Bundle(Some.Condition("c1"), broken) });

        var record = builder.Build();
        Assert.Equal("c1", Assert.Single(record.Conditions).Id);
        var issue = Assert.Single(record.Issues);
        Assert.Equal("malformed-resource", issue.Code);
        Assert.Equal("prefetch.conditions.entry[1].resource.onsetString", issue.Location);
        Assert.Contains("Condition", builder.Covered);
    }

    [Fact]
    public async Task ReadAsync_ExampleFixture_CoversEveryRecordPart()
    {
        var request = JsonNode.Parse(await File.ReadAllTextAsync(Repo.File("fhir-fixtures/README-example/request.json")))!;
        var catalog = ImagingCds.Hooks.ServiceCatalog.Load(Repo.File("cds-services.json"));
        var prefetch = request["prefetch"]!.AsObject().ToDictionary(p => p.Key, p => Some.Element(p.Value?.ToJsonString() ?? "null"));
        var query = new RecordQuery(request["context"]!["patientId"]!.GetValue<string>(), "Practitioner/x", null, prefetch, null, null);

        var builder = await new PrefetchSource(catalog.Prefetch).ReadAsync(query, Everything, CancellationToken.None);

        Assert.All(RecordParts.All, part => Assert.Contains(part, builder.Covered));
        var record = builder.Build();
        Assert.Empty(record.Issues);
        Assert.Equal(0, record.ForeignResourcesDropped);
        Assert.NotNull(record.Patient);
    }

    private static ValueTask<RecordBuilder> Read(JsonObject prefetch) =>
        Read(prefetch.ToDictionary(p => p.Key, p => Some.Element(p.Value?.ToJsonString() ?? "null")));

    private static ValueTask<RecordBuilder> Read(Dictionary<string, JsonElement> prefetch)
    {
        var query = new RecordQuery(Some.PatientId, "Practitioner/prac-1", null, prefetch, null, null);
        return new PrefetchSource(Some.PrefetchTemplates).ReadAsync(query, Everything, CancellationToken.None);
    }
}
