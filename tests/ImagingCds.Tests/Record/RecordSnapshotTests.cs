using System.Text;
using System.Text.Json.Nodes;
using ImagingCds.Fhir;
using ImagingCds.Hooks;
using ImagingCds.Record;
using ImagingCds.Tests.Fixtures;
using ImagingCds.Tests.Support;

namespace ImagingCds.Tests.Record;

/// <summary>A record kept as its JSON (documentation forms) comes back exactly as it was read.</summary>
public sealed class RecordSnapshotTests
{
    private static readonly string Folder = Path.GetFullPath(Path.Combine(Repo.Root, "..", "shared", "sample-patients"));
    private static readonly IReadOnlySet<string> Everything = new HashSet<string>(RecordParts.All, StringComparer.Ordinal);

    public static TheoryData<string> Patients() => [.. SamplePatients.Ids(Folder)];

    [Theory]
    [MemberData(nameof(Patients))]
    public async Task Restore_SamplePatient_GivesTheSameRecord(string id)
    {
        var record = await FromPrefetch(Encoding.UTF8.GetBytes(SamplePatients.Request(Folder, id)));

        var restored = RecordSnapshot.Of(record).Restore();

        Assert.True(record.ResourceCount > 0);
        Assert.Equal(Describe(record), Describe(restored));
    }

    [Fact]
    public async Task Restore_KeepsIssuesForeignResourcesAndGaps_AndHoldsOnlyTheJson()
    {
        var foreign = new JsonObject { ["resourceType"] = "Condition", ["id"] = "x", ["subject"] = new JsonObject { ["reference"] = "Patient/other" } };
        var request = new JsonObject
        {
            ["hook"] = "order-sign",
            ["hookInstance"] = "d1577c69-dfbe-44ad-ba6d-3e05e953b2ea",
            ["context"] = new JsonObject
            {
                ["userId"] = "Practitioner/1", ["patientId"] = Some.PatientId,
                ["draftOrders"] = new JsonObject { ["resourceType"] = "Bundle", ["type"] = "collection", ["entry"] = new JsonArray() },
            },
            ["prefetch"] = new JsonObject
            {
                ["patient"] = Some.Patient(),
                ["conditions"] = new JsonObject
                {
                    ["resourceType"] = "Bundle", ["type"] = "searchset",
                    ["entry"] = new JsonArray(new JsonObject { ["resource"] = foreign }, new JsonObject { ["fullUrl"] = "urn:uuid:no-resource" }),
                },
            },
        };
        var record = await FromPrefetch(Encoding.UTF8.GetBytes(request.ToJsonString()));
        Assert.Equal(1, record.ForeignResourcesDropped);
        Assert.NotEmpty(record.Issues);
        record = record with { Gaps = [new RecordGap("Observation", GapReason.Timeout, "the FHIR server did not answer in time")] };

        var snapshot = RecordSnapshot.Of(record);
        var restored = snapshot.Restore();

        Assert.Equal(Describe(record), Describe(restored));
        Assert.Equal(snapshot.Sources.Sum(s => (long)s.Json.Length), snapshot.Bytes);
    }

    private static async Task<PatientRecord> FromPrefetch(byte[] body)
    {
        var request = HookRequestParser.Parse(body, new HookOptions(), out var error);
        Assert.Null(error);
        var prefetch = new PrefetchSource(ServiceCatalog.Load(Path.Combine(Repo.Root, "cds-services.json")).Prefetch);
        var query = new RecordQuery(request!.Context.PatientId, request.Context.UserId, null, request.Prefetch, null, null);
        return (await prefetch.ReadAsync(query, Everything, CancellationToken.None)).Build();
    }

    /// <summary>Everything a record holds, as text: each resource as FHIR JSON, plus gaps, issues and foreign drops.</summary>
    private static string Describe(PatientRecord record)
    {
        var resources = new Resource?[] { record.Patient }
            .Concat(record.Coverages).Concat(record.Conditions).Concat(record.Procedures).Concat(record.Observations)
            .Concat(record.ServiceRequests).Concat(record.MedicationRequests).Concat(record.MedicationStatements)
            .Concat(record.Medications).Concat(record.Encounters).Concat(record.QuestionnaireResponses)
            .Select(r => r is null ? "none" : FhirJson.Serialize(r));
        return string.Join('\n', resources
            .Concat(record.Gaps.Select(g => g.ToString()))
            .Concat(record.Issues.Select(i => i.ToString()))
            .Append($"patient {record.PatientId}, foreign {record.ForeignResourcesDropped}"));
    }
}
