using System.Diagnostics.CodeAnalysis;
using System.Text.Json.Nodes;
using ImagingCds.Scenarios;
using ImagingCds.Tests.Support;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;

namespace ImagingCds.Tests.Fixtures;

/// <summary>
/// Replays every scenario of fhir-fixtures/scenarios a second way: no prefetch, the record read by the service from a
/// real FHIR server on loopback (<see cref="MedplumFhirServer"/>), with the same expected verdicts as
/// <see cref="ScenarioReplayTests"/>.
/// </summary>
/// <remarks>
/// Before each scenario the server is emptied and given two patients, the scenario's and the next scenario's (each
/// under a patient id of its own, <see cref="ScenarioFhir.DistinctPatientId"/>), so the service reads from a server
/// that, like an EHR's, holds other patients. Emptying keeps each search's cost constant: medplum's in-memory search
/// scans every resource of the type, and with all 400+ records loaded the last scenarios took seconds. Each replay
/// also checks what the server was asked: exactly the discovery document's prefetch queries for that patient, each
/// answered 200 (the token was accepted). The server's own search semantics (<c>patient=</c>, <c>status=</c>,
/// <c>_count</c>) are checked directly by <see cref="Search_ByPatientAndStatus_ReturnsOnlyThatPatientsActiveCoverage"/>:
/// the service also drops resources about another patient by itself, so a leak would not show in verdicts.
/// </remarks>
public sealed class ScenarioReplayFhirServerTests(ScenarioReplayFhirServerTests.Fixture fixture) : IClassFixture<ScenarioReplayFhirServerTests.Fixture>
{
    /// <summary>The path of the FHIR base on the server, as its request log shows it.</summary>
    private const string FhirBasePath = "/fhir/";

    /// <summary>
    /// Every compact scenario except those with a <c>prefetch:</c> block: their point is how the service reads a
    /// partial or failed prefetch with no FHIR server to ask, and here there is no prefetch and the server serves the
    /// whole record, so the part they leave out would be read after all and their expected verdicts would not hold.
    /// </summary>
    public static TheoryData<string> Scenarios() =>
        new(ScenarioReplay.FileNames().Where(file => Scenario.Load(Path.Combine(ScenarioReplay.Folder, file)).Prefetch is null));

    [Theory]
    [MemberData(nameof(Scenarios))]
    public async Task Replay_FromFhirServer_MatchesExpectedVerdicts(string scenarioFile)
    {
        var scenario = ScenarioReplay.Load(scenarioFile);
        var patientId = ScenarioFhir.DistinctPatientId(scenario);
        var neighbour = ScenarioReplay.Load(Neighbour(scenarioFile));
        await fixture.FhirServer.ResetAsync();
        await fixture.FhirServer.LoadAsync(ScenarioFhir.RecordBundle(neighbour, ScenarioFhir.DistinctPatientId(neighbour)));
        await fixture.FhirServer.LoadAsync(ScenarioFhir.RecordBundle(scenario, patientId));

        var request = ScenarioFhir.Request(scenario, withPrefetch: false, patientId);
        request["fhirServer"] = fixture.FhirServer.BaseUrl.AbsoluteUri;
        request["fhirAuthorization"] = new JsonObject
        {
            ["access_token"] = fixture.FhirServer.AccessToken,
            ["token_type"] = "Bearer",
            ["expires_in"] = 300,
            ["scope"] = "patient/*.read",
            ["subject"] = "scenario-clinician",
        };
        using var client = fixture.Service.CreateClient();
        await ScenarioReplay.AssertVerdictsAsync(client, fixture.Service.Services, scenario, request, $"{scenarioFile} (from the FHIR server, patient {patientId})");

        var asked = await fixture.FhirServer.RequestsAsync();
        Assert.All(asked, r => Assert.True(r is ("GET", _, 200), $"{scenarioFile}: the FHIR server answered {r.Status} to {r.Method} {r.Url}"));
        Assert.Equal(PrefetchQueries(patientId), asked.Select(r => r.Url).ToHashSet(StringComparer.Ordinal));
    }

    /// <summary>The discovery document's prefetch templates for <paramref name="patientId"/>, as the service sends them (searches with <c>_count=100</c>).</summary>
    private static HashSet<string> PrefetchQueries(string patientId)
    {
        using var discovery = System.Text.Json.JsonDocument.Parse(File.ReadAllText(Repo.File("cds-services.json")));
        return discovery.RootElement.GetProperty("services")[0].GetProperty("prefetch").EnumerateObject()
            .Select(p => p.Value.GetString()!.Replace("{{context.patientId}}", patientId, StringComparison.Ordinal))
            .Select(q => $"{FhirBasePath}{q}{(q.Contains('?', StringComparison.Ordinal) ? "&_count=100" : "")}")
            .ToHashSet(StringComparer.Ordinal);
    }

    [Fact]
    public async Task Search_ByPatientAndStatus_ReturnsOnlyThatPatientsActiveCoverage()
    {
        await fixture.FhirServer.ResetAsync();
        var first = ScenarioReplay.Load("evicore-cigna-spine/evicore-sp-1.2-foot-drop.yaml");
        var other = new Scenario { Id = "search-semantics-other", Date = first.Date, Payer = "WPS" };
        await fixture.FhirServer.LoadAsync(ScenarioFhir.RecordBundle(first, "search-semantics-1"));
        await fixture.FhirServer.LoadAsync(ScenarioFhir.RecordBundle(other, "search-semantics-2"));
        var cancelled = new JsonObject
        {
            ["resourceType"] = "Coverage", ["id"] = "search-semantics-1-cov-old", ["status"] = "cancelled",
            ["beneficiary"] = new JsonObject { ["reference"] = "Patient/search-semantics-1" },
            ["payor"] = new JsonArray(new JsonObject { ["display"] = "WPS" }),
        };
        await fixture.FhirServer.LoadAsync(new JsonObject { ["resourceType"] = "Bundle", ["type"] = "collection", ["entry"] = new JsonArray(new JsonObject { ["resource"] = cancelled }) });

        var (status, coverage) = await fixture.FhirServer.GetAsync("Coverage?patient=search-semantics-1&status=active&_count=100");
        Assert.Equal(200, status);
        Assert.Equal(["search-semantics-1-cov-1"], Ids(coverage));
        var (_, conditions) = await fixture.FhirServer.GetAsync("Condition?patient=search-semantics-1&_count=1");
        Assert.Single(Ids(conditions));
        var (_, none) = await fixture.FhirServer.GetAsync("Condition?patient=search-semantics-2&_count=100");
        Assert.Empty(Ids(none));
    }

    [Fact]
    public async Task Load_InvalidResource_IsRefusedNamingIt()
    {
        var bundle = new JsonObject
        {
            ["resourceType"] = "Bundle", ["type"] = "collection",
            ["entry"] = new JsonArray(new JsonObject
            {
                ["resource"] = new JsonObject
                {
                    ["resourceType"] = "Condition", ["id"] = "not-valid", ["onsetDateTime"] = "last tuesday",
                    ["subject"] = new JsonObject { ["reference"] = "Patient/nobody" },
                },
            }),
        };

        var refused = await Assert.ThrowsAsync<InvalidOperationException>(() => fixture.FhirServer.LoadAsync(bundle));
        Assert.Contains("Condition/not-valid", refused.Message, StringComparison.Ordinal);
        var (status, _) = await fixture.FhirServer.GetAsync("Condition/not-valid");
        Assert.Equal(404, status);
    }

    /// <summary>The scenario after <paramref name="scenarioFile"/> in the sorted list (the first after the last).</summary>
    private static string Neighbour(string scenarioFile)
    {
        var files = ScenarioReplay.FileNames();
        return files[(Array.IndexOf(files, scenarioFile) + 1) % files.Length];
    }

    private static string[] Ids(JsonNode? bundle) =>
        (bundle?["entry"]?.AsArray() ?? []).Select(e => (string)e!["resource"]!["id"]!).ToArray();

    /// <summary>The FHIR server and the service, whose record budget allows for a FHIR server on a busy CI machine.</summary>
    [SuppressMessage("Reliability", "CA1001", Justification = "xunit disposes a fixture through IAsyncLifetime.DisposeAsync")]
    public sealed class Fixture : IAsyncLifetime
    {
        private readonly CdsServiceFactory _factory = new();

        public MedplumFhirServer FhirServer { get; } = new();

        /// <summary>
        /// The service with a record budget of seconds instead of 400 ms: medplum answers a search in milliseconds,
        /// but a loaded 2-core CI machine running other tests beside it may not.
        /// </summary>
        public WebApplicationFactory<Program> Service { get; private set; } = null!;

        public async Task InitializeAsync()
        {
            await FhirServer.InitializeAsync();
            Service = _factory.WithWebHostBuilder(b => b
                .UseSetting("Fhir:RecordBudget", "00:00:08")
                .UseSetting("Fhir:AttemptTimeout", "00:00:04"));
        }

        public async Task DisposeAsync()
        {
            if (Service is not null)
            {
                await Service.DisposeAsync();
            }

            await _factory.DisposeAsync();
            await FhirServer.DisposeAsync();
        }
    }
}
