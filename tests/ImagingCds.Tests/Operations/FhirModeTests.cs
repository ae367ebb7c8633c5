using System.Diagnostics;
using System.Text.Json.Nodes;
using ImagingCds.LoadTest;
using ImagingCds.Tests.Support;

namespace ImagingCds.Tests.Operations;

/// <summary>The load tool's FHIR-server mode (--fhir-mode): its slow paging FHIR server, and the hook reading the typical record from it.</summary>
[Collection(nameof(TimingSensitive))]
public sealed class FhirModeTests
{
    private static readonly TimeSpan Delay = TimeSpan.FromMilliseconds(40);

    // Small enough that five pages in a row leave the 400 ms record budget ample room on a busy machine.
    private static readonly TimeSpan HookTestDelay = TimeSpan.FromMilliseconds(20);

    [Fact]
    public async Task TypicalFhirServer_Search_PagesAt50WithAbsoluteNextLinksOnTheBase_EachRequestDelayed()
    {
        var resources = TypicalRecord.ResourcesByType();
        await using var server = await TypicalFhirServer.StartAsync(TypicalRecord.PatientId(), resources, pageSize: 50, Delay);
        using var client = new HttpClient();
        var ids = new List<string>();
        var pages = 0;

        for (Uri? url = new(server.SearchUrl("Observation") + "&_count=100"); url is not null; pages++)
        {
            var (bundle, elapsed) = await GetAsync(client, url);
            var entries = bundle["entry"]!.AsArray();
            Assert.InRange(entries.Count, 1, 50);
            ids.AddRange(entries.Select(e => e!["resource"]!["id"]!.GetValue<string>()));
            Assert.True(elapsed >= Delay, $"page {pages + 1} answered in {elapsed.TotalMilliseconds} ms");
            url = bundle["link"]!.AsArray().Where(l => l!["relation"]!.GetValue<string>() == "next").Select(l => new Uri(l!["url"]!.GetValue<string>())).FirstOrDefault();
            Assert.True(url is null || url.AbsoluteUri.StartsWith(server.BaseUrl.AbsoluteUri, StringComparison.Ordinal), url?.AbsoluteUri);
        }

        Assert.Equal(resources["Observation"].Count, ids.Distinct().Count());
        Assert.Equal((resources["Observation"].Count + 49) / 50, pages);
        Assert.Equal(("Observation", pages), server.SlowestChain);
    }

    [Fact]
    public async Task TypicalFhirServer_PatientReadAndEmptyTypes_AnswerAsAFhirServerWould()
    {
        await using var server = await TypicalFhirServer.StartAsync(TypicalRecord.PatientId(), TypicalRecord.ResourcesByType(), pageSize: 50, TimeSpan.Zero);
        using var client = new HttpClient();

        var (patient, _) = await GetAsync(client, server.PatientUrl);
        var (empty, _) = await GetAsync(client, server.SearchUrl("ServiceRequest"));
        using var otherPatient = await client.GetAsync(new Uri(server.BaseUrl, "Patient/someone-else"));

        Assert.Equal(("Patient", TypicalRecord.PatientId()), (patient["resourceType"]!.GetValue<string>(), patient["id"]!.GetValue<string>()));
        Assert.Equal(("Bundle", 0), (empty["resourceType"]!.GetValue<string>(), empty["total"]!.GetValue<int>()));
        Assert.Null(empty["entry"]);
        Assert.Equal(System.Net.HttpStatusCode.NotFound, otherPatient.StatusCode);
    }

    [Fact]
    public async Task RunAsync_HookWithoutPrefetch_ReadsEveryPageOfTheRecordAndFindsWhatPrefetchFinds()
    {
        await using var service = new LoopbackService();
        var options = FhirModeOptions.Parse(["--url", service.Address, "--fhir-delay", $"{HookTestDelay.TotalMilliseconds}ms", "--calls", "3", "--warmup-calls", "1", "--samples", "1"]);
        using var output = new StringWriter();

        var report = await FhirModeTool.RunAsync(options, output);

        Assert.True(report.ExitCode == 0, output.ToString());
        Assert.Equal(0, report.Hook.Errors);
        Assert.True(report.LastVerdicts.AreReal, output.ToString());
        Assert.Equal(("Observation", 5, 250), (report.SlowestChain.Type, report.SlowestChain.Pages, report.SlowestChain.Resources));
        Assert.Equal(ExpectedRequestsPerCall(), report.FhirRequestsPerCall);
        // The five Observation pages come one after another, each after the server's delay.
        Assert.True(report.Hook.P50 >= report.SlowestChain.Pages * HookTestDelay.TotalMilliseconds, output.ToString());
    }

    /// <summary>One GET per discovery template (the Patient read and every search) plus each search's further pages.</summary>
    private static double ExpectedRequestsPerCall()
    {
        var resources = TypicalRecord.ResourcesByType();
        var templates = JsonNode.Parse(File.ReadAllText(Repo.File("cds-services.json")))!["services"]![0]!["prefetch"]!.AsObject()
            .Select(p => p.Value!.GetValue<string>());
        int Pages(string type) => Math.Max(1, ((resources.GetValueOrDefault(type)?.Count ?? 0) + 49) / 50);
        return templates.Sum(t => t.Contains('?', StringComparison.Ordinal) ? Pages(t[..t.IndexOf('?', StringComparison.Ordinal)]) : 1);
    }

    private static async Task<(JsonObject Body, TimeSpan Elapsed)> GetAsync(HttpClient client, Uri url)
    {
        var started = Stopwatch.GetTimestamp();
        using var response = await client.GetAsync(url);
        response.EnsureSuccessStatusCode();
        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync())!.AsObject();
        return (body, Stopwatch.GetElapsedTime(started));
    }
}
