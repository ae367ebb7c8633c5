using System.Diagnostics;
using System.Text.Json;
using ImagingCds.Record;
using ImagingCds.Tests.Support;
using Xunit.Abstractions;
using static ImagingCds.Tests.Support.RecordSources;

namespace ImagingCds.Tests.Record;

[Collection(nameof(TimingSensitive))]
public sealed class PatientRecordAssemblerTests(ITestOutputHelper output)
{
    [Fact]
    public async Task AssembleAsync_PrefetchCoversSomeParts_QueriesServerOnlyForTheRest()
    {
        await using var server = await FakeFhirServer.StartAsync();
        server.On("Procedure", Reply.Json(SomeJson.SearchSet(SomeJson.Resources("Procedure", PatientId, 1, "server"))));
        var prefetch = Prefetch(
            ("patient", SomeJson.Patient(PatientId)),
            ("conditions", SomeJson.SearchSet(SomeJson.Resources("Condition", PatientId, 2, "prefetched"))),
            ("observations", "null"));

        var record = await Assembler(Relaxed()).AssembleAsync(Query(server.BaseUrl, prefetch), CancellationToken.None);

        Assert.NotNull(record);
        var notPrefetched = RecordParts.All.Except(["Patient", "Condition", "Observation"]).Select(type => $"/fhir/{type}");
        Assert.Equal(notPrefetched.Order(), server.Requests.Select(r => r.Path).Order());
        Assert.Equal(PatientId, record.Patient?.Id);
        Assert.Equal(["prefetched-1", "prefetched-2"], record.Conditions.Select(c => c.Id));
        Assert.Equal(["server-1"], record.Procedures.Select(p => p.Id));
        Assert.Empty(record.Gaps);
    }

    [Fact]
    public async Task AssembleAsync_PrefetchCoversEveryPart_NeverCallsServer()
    {
        await using var server = await FakeFhirServer.StartAsync();
        var prefetch = Templates.Keys.Select(key => (key, key == "patient" ? SomeJson.Patient(PatientId) : "null"));

        var record = await Assembler(Relaxed()).AssembleAsync(Query(server.BaseUrl, Prefetch([.. prefetch])), CancellationToken.None);

        Assert.NotNull(record);
        Assert.Empty(server.Requests);
        Assert.Empty(record.Gaps);
    }

    [Fact]
    public async Task AssembleAsync_PrefetchReportsAnError_QueriesThatPartFromServer()
    {
        await using var server = await FakeFhirServer.StartAsync();
        server.On("Condition", Reply.Json(SomeJson.SearchSet(SomeJson.Resources("Condition", PatientId, 1, "server"))));
        const string failed = """{"resourceType":"OperationOutcome","issue":[{"severity":"error","code":"timeout"}]}""";

        var record = await Assembler(Relaxed()).AssembleAsync(Query(server.BaseUrl, Prefetch(("conditions", failed))), CancellationToken.None);

        Assert.NotNull(record);
        Assert.Single(server.RequestsTo("Condition"));
        Assert.Equal(["server-1"], record.Conditions.Select(c => c.Id));
        Assert.Contains(record.Issues, i => i.Code == "prefetch-failed");
    }

    [Fact]
    public async Task AssembleAsync_NoPrefetchAndNoFhirServer_ReturnsNull()
    {
        var record = await Assembler(Relaxed()).AssembleAsync(Query(fhirServer: null), CancellationToken.None);

        Assert.Null(record);
    }

    [Fact]
    public async Task AssembleAsync_PrefetchButNoFhirServer_GivesNotProvidedGapsForTheRest()
    {
        var prefetch = Prefetch(
            ("patient", SomeJson.Patient(PatientId)),
            ("conditions", SomeJson.SearchSet(SomeJson.Resources("Condition", PatientId, 2))));

        var record = await Assembler(Relaxed()).AssembleAsync(Query(fhirServer: null, prefetch), CancellationToken.None);

        Assert.NotNull(record);
        Assert.Equal(2, record.Conditions.Count);
        Assert.Equal(RecordParts.All.Except(["Patient", "Condition"]).Order(), record.Gaps.Select(g => g.ResourceType).Order());
        Assert.All(record.Gaps, g => Assert.Equal(GapReason.NotProvided, g.Reason));
    }

    [Fact]
    public async Task AssembleAsync_ServerFailsForOnePart_ReportsOnlyThatFailureForIt()
    {
        await using var server = await FakeFhirServer.StartAsync();
        server.On("Condition", Reply.Status(403));

        var record = await Assembler(Relaxed()).AssembleAsync(Query(server.BaseUrl), CancellationToken.None);

        Assert.NotNull(record);
        var gap = Assert.Single(record.Gaps);
        Assert.Equal(("Condition", GapReason.Unauthorized), (gap.ResourceType, gap.Reason));
        Assert.Equal(PatientId, record.Patient?.Id);
    }

    [Fact]
    public async Task AssembleAsync_FiveHundredResourcesFromServer_AssemblesCompletelyWithinDefaultBudget()
    {
        await WarmUpAsync();
        await using var server = await FiveHundredResourceServerAsync();
        var assembler = Assembler(new FhirOptions());
        var first = Stopwatch.StartNew();
        await assembler.AssembleAsync(Query(server.BaseUrl), CancellationToken.None);
        first.Stop();

        var times = new List<double>();
        for (var run = 0; run < 5; run++)
        {
            var stopwatch = Stopwatch.StartNew();
            var record = await assembler.AssembleAsync(Query(server.BaseUrl), CancellationToken.None);
            stopwatch.Stop();
            times.Add(stopwatch.Elapsed.TotalMilliseconds);

            // Under the default 400 ms budget, whatever did not arrive in time would be a Timeout gap.
            Assert.NotNull(record);
            Assert.Empty(record.Gaps);
            Assert.Equal(500, record.ResourceCount);
        }

        output.WriteLine(
            $"500-resource record from a loopback FHIR server (11 requests): first {first.Elapsed.TotalMilliseconds:F1} ms, " +
            $"then {string.Join(", ", times.Select(t => $"{t:F1}"))} ms");
    }

    /// <summary>
    /// A server holding 500 resources about the patient, sized like a real chart: the Patient, one Coverage,
    /// and searches of 20 to 200 resources, Observation on two pages of the default page size.
    /// </summary>
    private static async Task<FakeFhirServer> FiveHundredResourceServerAsync()
    {
        var server = await FakeFhirServer.StartAsync();
        string Page(string type, int count, string prefix, string? next = null) =>
            SomeJson.SearchSet(SomeJson.Resources(type, PatientId, count, prefix, padding: 300), next);

        server.On("Coverage", Reply.Json(Page("Coverage", 1, "cov")));
        server.On("Condition", Reply.Json(Page("Condition", 100, "cond")));
        server.On("Procedure", Reply.Json(Page("Procedure", 50, "proc")));
        var firstObservations = Reply.Json(Page("Observation", 100, "obs-a", $"{server.BaseUrl}Observation?patient={PatientId}&_page=2"));
        var secondObservations = Reply.Json(Page("Observation", 100, "obs-b"));
        server.On("Observation", Reply.From(request => request.Query["_page"] == "2" ? secondObservations : firstObservations));
        server.On("ServiceRequest", Reply.Json(Page("ServiceRequest", 50, "sr")));
        server.On("MedicationRequest", Reply.Json(Page("MedicationRequest", 50, "mr")));
        server.On("MedicationStatement", Reply.Json(Page("MedicationStatement", 20, "ms")));
        server.On("Encounter", Reply.Json(Page("Encounter", 28, "enc")));
        return server;
    }

    private static PatientRecordAssembler Assembler(FhirOptions options) => new(new PrefetchSource(Templates), FhirServer(options));

    private static Dictionary<string, JsonElement> Prefetch(params (string Key, string Json)[] values) =>
        values.ToDictionary(v => v.Key, v => JsonElement.Parse(v.Json), StringComparer.Ordinal);
}
