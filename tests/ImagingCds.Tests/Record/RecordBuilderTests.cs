using System.Text.Json.Nodes;
using ImagingCds.Fhir;
using ImagingCds.Record;
using ImagingCds.Tests.Support;

namespace ImagingCds.Tests.Record;

public sealed class RecordBuilderTests
{
    [Theory]
    [InlineData("Patient/123", "123")]
    [InlineData("Patient/123/_history/4", "123")]
    [InlineData("https://ehr.example.org/fhir/r4/Patient/123", "123")]
    [InlineData("https://ehr.example.org/fhir/Patient/123/_history/2", "123")]
    [InlineData("http://localhost:8080/Patient/eVgg3VZ6", "eVgg3VZ6")]
    public void PatientIdOf_PatientReference_IsTheId(string reference, string expected) =>
        Assert.Equal(expected, RecordBuilder.PatientIdOf(reference));

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("Group/7")]
    [InlineData("#contained-1")]
    [InlineData("urn:uuid:8f5c1b0e-4a1e-4c41-9d2c-2f1a4f6e9a01")]
    [InlineData("Patient")]
    [InlineData("https://ehr.example.org/fhir/Practitioner/9")]
    public void PatientIdOf_NotAPatientReference_IsNull(string? reference) =>
        Assert.Null(RecordBuilder.PatientIdOf(reference));

    [Fact]
    public void AddJson_SingleResource_IsKeptAndCovered()
    {
        var builder = new RecordBuilder(Some.PatientId);

        var kept = builder.AddJson(Some.Element(Some.Condition("c1")), "test");

        Assert.Equal(1, kept);
        Assert.Contains("Condition", builder.Covered);
        Assert.Equal("Condition/c1", Assert.Single(builder.Build().Conditions).Reference);
    }

    [Fact]
    public void AddJson_Bundle_ReturnsHowManyWereKept()
    {
        var builder = new RecordBuilder(Some.PatientId);

        var kept = builder.AddJson(Some.Element(Some.Bundle(Some.Condition("c1"), Some.Condition("c2", "Patient/other"), Some.Patient())), "test");

        Assert.Equal(2, kept);
        var record = builder.Build();
        Assert.Equal(1, record.ForeignResourcesDropped);
        Assert.Equal(2, record.ResourceCount);
    }

    [Fact]
    public void AddJson_DuplicateTypeAndId_IsKeptOnce()
    {
        var builder = new RecordBuilder(Some.PatientId);

        builder.AddJson(Some.Element(Some.Bundle(Some.Condition("c1"), Some.Condition("c1"))), "a");
        var kept = builder.AddJson(Some.Element(Some.Condition("c1")), "b");

        Assert.Equal(0, kept);
        Assert.Single(builder.Build().Conditions);
    }

    [Fact]
    public void AddJson_SameIdDifferentTypes_AreBothKept()
    {
        var builder = new RecordBuilder(Some.PatientId);
        var observation = new JsonObject { ["resourceType"] = "Observation", ["id"] = "x1", ["subject"] = Some.Ref($"Patient/{Some.PatientId}") };

        builder.AddJson(Some.Element(Some.Bundle(Some.Condition("x1"), observation)), "test");

        var record = builder.Build();
        Assert.Single(record.Conditions);
        Assert.Single(record.Observations);
    }

    [Fact]
    public void AddJson_ResourcesWithoutId_AreAllKept()
    {
        var builder = new RecordBuilder(Some.PatientId);
        var first = Some.Condition();
        first.Remove("id");
        var second = first.DeepClone().AsObject();

        builder.AddJson(Some.Element(Some.Bundle(first, second)), "test");

        Assert.Equal(2, builder.Build().Conditions.Count);
    }

    [Fact]
    public void AddJson_ResourceWithoutPatientReference_IsKept()
    {
        var builder = new RecordBuilder(Some.PatientId);
        var condition = Some.Condition();
        condition.Remove("subject");

        builder.AddJson(Some.Element(condition), "test");

        Assert.Single(builder.Build().Conditions);
    }

    [Theory]
    [InlineData("Coverage", "beneficiary")]
    [InlineData("Procedure", "subject")]
    [InlineData("Observation", "subject")]
    [InlineData("ServiceRequest", "subject")]
    [InlineData("MedicationRequest", "subject")]
    [InlineData("MedicationStatement", "subject")]
    [InlineData("Encounter", "subject")]
    [InlineData("QuestionnaireResponse", "subject")]
    public void AddJson_AnyTypeAboutAnotherPatient_IsDropped(string type, string patientElement)
    {
        var builder = new RecordBuilder(Some.PatientId);
        var resource = new JsonObject { ["resourceType"] = type, ["id"] = "r1", [patientElement] = Some.Ref("Patient/other") };

        var kept = builder.AddJson(Some.Element(resource), "test");

        Assert.Equal(0, kept);
        Assert.Equal(1, builder.Build().ForeignResourcesDropped);
        Assert.Equal(0, builder.Build().ResourceCount);
    }

    [Fact]
    public void AddJson_EntryWithoutResource_IsAnIssue()
    {
        var builder = new RecordBuilder(Some.PatientId);
        var bundle = Some.Bundle(Some.Condition("c1"));
        bundle["entry"]!.AsArray().Add(new JsonObject { ["fullUrl"] = "urn:uuid:1" });

        builder.AddJson(Some.Element(bundle), "prefetch.conditions");

        var issue = Assert.Single(builder.Build().Issues);
        Assert.Equal("entry-without-resource", issue.Code);
        Assert.Equal("prefetch.conditions.entry[1]", issue.Location);
    }

    [Fact]
    public void AddJson_UnsupportedResourceType_IsAnIssueNotAResource()
    {
        var builder = new RecordBuilder(Some.PatientId);
        var allergy = new JsonObject { ["resourceType"] = "AllergyIntolerance", ["id"] = "a1" };

        var kept = builder.AddJson(Some.Element(Some.Bundle(allergy)), "prefetch.x");

        Assert.Equal(0, kept);
        var issue = Assert.Single(builder.Build().Issues);
        Assert.Equal("unsupported-resource-type", issue.Code);
        Assert.Equal("prefetch.x.entry[0].resource", issue.Location);
    }

    [Fact]
    public void AddJson_OperationOutcome_BecomesIssuesNotResources()
    {
        var builder = new RecordBuilder(Some.PatientId);

        var kept = builder.AddJson(Some.Element(Some.OperationOutcome("warning")), "prefetch.conditions");

        Assert.Equal(0, kept);
        var issue = Assert.Single(builder.Build().Issues);
        Assert.Equal("operation-outcome-warning", issue.Code);
        Assert.Equal("prefetch.conditions", issue.Location);
        Assert.Empty(builder.Covered);
    }

    [Fact]
    public void AddJson_BundleInsideABundle_ReadsTheInnerEntries()
    {
        var builder = new RecordBuilder(Some.PatientId);
        var inner = Some.Bundle(Some.Condition("c1"), Some.Condition("c2"));

        var kept = builder.AddJson(Some.Element(Some.Bundle("batch-response", inner)), "test");

        Assert.Equal(1, kept);
        Assert.Equal(["c1", "c2"], builder.Build().Conditions.Select(c => c.Id));
    }

    [Fact]
    public void Merge_TwoSlices_KeepsEachResourceOnceAndAddsUpEverything()
    {
        var record = new RecordBuilder(Some.PatientId);
        record.AddJson(Some.Element(Some.Bundle(Some.Condition("c1"), Some.Condition("x", "Patient/other"))), "a");
        record.AddIssue(new FhirIssue("one", "a", "m"));
        var slice = new RecordBuilder(Some.PatientId);
        slice.AddJson(Some.Element(Some.Bundle(Some.Condition("c1"), Some.Condition("c2"), Some.Condition("y", "Patient/other"))), "b");
        slice.AddGap(new RecordGap("Observation", GapReason.Timeout, "slow"));
        slice.Covered.Add("Procedure");

        record.Merge(slice);

        var built = record.Build();
        Assert.Equal(["c1", "c2"], built.Conditions.Select(c => c.Id));
        Assert.Equal(2, built.ForeignResourcesDropped);
        Assert.Equal("one", Assert.Single(built.Issues).Code);
        Assert.Equal(GapReason.Timeout, Assert.Single(built.Gaps).Reason);
        Assert.Equal(["Condition", "Procedure"], record.Covered.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Build_SeveralPatients_PrefersTheContextPatient()
    {
        var builder = new RecordBuilder(Some.PatientId);
        var anonymous = Some.Patient();
        anonymous.Remove("id");
        anonymous["gender"] = "male";

        builder.AddJson(Some.Element(Some.Bundle(anonymous, Some.Patient())), "test");

        Assert.Equal(Some.PatientId, builder.Build().Patient?.Id);
    }

    [Fact]
    public void Build_NothingAdded_IsAnEmptyRecordForThePatient()
    {
        var record = new RecordBuilder(Some.PatientId).Build();

        Assert.Equal(Some.PatientId, record.PatientId);
        Assert.Null(record.Patient);
        Assert.Equal(0, record.ResourceCount);
        Assert.Empty(record.Gaps);
        Assert.Empty(record.Issues);
    }

    [Fact]
    public void Build_EveryRecordPart_LandsInItsList()
    {
        var builder = new RecordBuilder(Some.PatientId);
        var subject = Some.Ref($"Patient/{Some.PatientId}");
        JsonObject Of(string type, string patientElement = "subject") => new() { ["resourceType"] = type, ["id"] = "r", [patientElement] = subject.DeepClone() };

        builder.AddJson(Some.Element(Some.Bundle(
            Some.Patient(), Of("Coverage", "beneficiary"), Of("Condition"), Of("Procedure"), Of("Observation"), Of("ServiceRequest"),
            Of("MedicationRequest"), Of("MedicationStatement"), Of("Encounter"), Of("QuestionnaireResponse"),
            new JsonObject { ["resourceType"] = "Medication", ["id"] = "r" })), "test");

        var record = builder.Build();
        Assert.NotNull(record.Patient);
        Assert.Single(record.Coverages);
        Assert.Single(record.Conditions);
        Assert.Single(record.Procedures);
        Assert.Single(record.Observations);
        Assert.Single(record.ServiceRequests);
        Assert.Single(record.MedicationRequests);
        Assert.Single(record.MedicationStatements);
        Assert.Single(record.Medications);
        Assert.Single(record.Encounters);
        Assert.Single(record.QuestionnaireResponses);
        Assert.Equal(11, record.ResourceCount);
        Assert.All(RecordParts.All, part => Assert.Contains(part, builder.Covered));
    }
}
