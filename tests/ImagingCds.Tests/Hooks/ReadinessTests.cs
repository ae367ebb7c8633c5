using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using ImagingCds.Hooks;
using ImagingCds.Record;
using ImagingCds.Tests.Support;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Polly.CircuitBreaker;

namespace ImagingCds.Tests.Hooks;

public sealed class ReadinessTests
{
    private const string ServiceUrl = "/cds-services/spine-mri-appropriateness";
    private static readonly ReadinessCheck Loaded = new("loaded", "5 policies");

    [Fact]
    public async Task GetReadyz_Started_IsReadyWithWhatWasLoadedAndNoFhirServers()
    {
        await using var service = new CdsServiceFactory();
        using var client = service.CreateClient();

        var (status, report) = await ReadyzAsync(client);

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("ready", (string?)report["status"]);
        Assert.Equal("loaded", (string?)report["discovery"]?["status"]);
        Assert.Equal("loaded", (string?)report["guidelines"]?["status"]);
        Assert.Equal("5 policies", (string?)report["guidelines"]?["detail"]);
        Assert.Empty(Assert.IsType<JsonArray>(report["fhirServers"]));
    }

    [Fact]
    public async Task GetReadyz_AfterAFhirServerFailsEveryRead_ShowsItsCircuitOpenAndStaysReady()
    {
        await using var failing = await FakeFhirServer.StartAsync();
        failing.OnEveryOtherPath(Reply.Status(503));
        await using var service = new CdsServiceFactory();
        using var breaking = service.WithWebHostBuilder(b => Breaker(b, TimeSpan.FromMinutes(5)));
        using var client = breaking.CreateClient();

        using var hook = await client.PostAsync(ServiceUrl, Hook(failing.BaseUrl));
        var (status, report) = await ReadyzAsync(client);

        Assert.Equal(HttpStatusCode.OK, hook.StatusCode);
        Assert.All(Verdicts(await hook.Content.ReadAsStringAsync()), verdict => Assert.Equal("error", verdict));
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("ready", (string?)report["status"]);
        var server = Assert.Single(Assert.IsType<JsonArray>(report["fhirServers"]));
        Assert.Equal(failing.Origin, (string?)server?["origin"]);
        Assert.Equal("open", (string?)server?["circuit"]);
    }

    [Fact]
    public async Task GetReadyz_AfterTheBreakAndAGoodTrialCall_ShowsTheCircuitClosedAgain()
    {
        await using var fhir = await FakeFhirServer.StartAsync();
        fhir.OnEveryOtherPath(Reply.Status(503));
        var clock = new FakeClock(new DateTimeOffset(2026, 11, 20, 15, 0, 0, TimeSpan.Zero));
        await using var service = new CdsServiceFactory();
        using var breaking = service.WithWebHostBuilder(b => Breaker(b, TimeSpan.FromMinutes(1))
            .ConfigureTestServices(s => s.AddSingleton<TimeProvider>(clock)));
        using var client = breaking.CreateClient();
        using (await client.PostAsync(ServiceUrl, Hook(fhir.BaseUrl)))
        {
        }

        Assert.Equal("open", await CircuitAsync(client));
        fhir.OnEveryOtherPath(Reply.Json(SomeJson.SearchSet([])));
        clock.Advance(TimeSpan.FromMinutes(2));
        using (await client.PostAsync(ServiceUrl, Hook(fhir.BaseUrl)))
        {
        }

        Assert.Equal("closed", await CircuitAsync(client));
    }

    [Fact]
    public void Report_GuidelinesFailedToLoad_IsNotReadyAndNamesTheProblem()
    {
        var failed = new ReadinessCheck("failed", "Policy file 'x.yaml' is invalid: line 3");

        var report = Readiness.Report(Loaded, failed, []);

        Assert.Equal("not-ready", report.Status);
        Assert.Same(failed, report.Guidelines);
    }

    [Fact]
    public void Answer_NotReady_Is503WithTheReport()
    {
        var report = Readiness.Report(new ReadinessCheck("failed", "Discovery file 'cds-services.json' was not found."), Loaded, []);

        var result = Readiness.Answer(report).Result;

        var json = Assert.IsType<JsonHttpResult<ReadinessReport>>(result);
        Assert.Equal(StatusCodes.Status503ServiceUnavailable, json.StatusCode);
        Assert.Same(report, json.Value);
    }

    [Fact]
    public void Answer_ReadyWithAnOpenCircuit_Is200()
    {
        var report = Readiness.Report(Loaded, Loaded, [new FhirCircuit("https://ehr.example.org", CircuitState.Open)]);

        var result = Readiness.Answer(report).Result;

        Assert.Same(report, Assert.IsType<Ok<ReadinessReport>>(result).Value);
        Assert.Equal(new FhirServerCircuit("https://ehr.example.org", "open"), Assert.Single(report.FhirServers));
    }

    [Theory]
    [InlineData(CircuitState.Closed, "closed")]
    [InlineData(CircuitState.Open, "open")]
    [InlineData(CircuitState.HalfOpen, "half-open")]
    [InlineData(CircuitState.Isolated, "isolated")]
    public void Wire_EveryCircuitState_IsKebabCase(CircuitState state, string wire) =>
        Assert.Equal(wire, Readiness.Wire(state));

    /// <summary>A breaker that opens after two failed reads and stays open for <paramref name="breakDuration"/>; no retries.</summary>
    private static IWebHostBuilder Breaker(IWebHostBuilder builder, TimeSpan breakDuration) => builder
        .UseSetting("Fhir:MaxRetries", "0")
        .UseSetting("Fhir:BreakerMinimumThroughput", "2")
        .UseSetting("Fhir:BreakDuration", breakDuration.ToString())
        .UseSetting("Fhir:RecordBudget", "00:00:10")
        .UseSetting("Fhir:AttemptTimeout", "00:00:05");

    /// <summary>A lumbar MRI order with no prefetch: the whole record is read from <paramref name="fhirServer"/>.</summary>
    private static StringContent Hook(Uri fhirServer)
    {
        var request = Some.OrderSignRequest();
        request["fhirServer"] = fhirServer.AbsoluteUri;
        request["fhirAuthorization"] = new JsonObject { ["access_token"] = "token-abc", ["token_type"] = "Bearer", ["scope"] = "patient/*.read" };
        return new StringContent(request.ToJsonString(), Encoding.UTF8, "application/json");
    }

    private static IEnumerable<string?> Verdicts(string body) =>
        JsonNode.Parse(body)!["cards"]!.AsArray()
            .SelectMany(card => card?["extension"]?["appropriateness"]?.AsArray() ?? [])
            .Select(entry => (string?)entry?["verdict"]);

    private static async Task<(HttpStatusCode Status, JsonObject Report)> ReadyzAsync(HttpClient client)
    {
        using var response = await client.GetAsync("/readyz");
        return (response.StatusCode, Assert.IsType<JsonObject>(JsonNode.Parse(await response.Content.ReadAsStringAsync())));
    }

    private static async Task<string?> CircuitAsync(HttpClient client) =>
        (string?)Assert.Single(Assert.IsType<JsonArray>((await ReadyzAsync(client)).Report["fhirServers"]))?["circuit"];
}
