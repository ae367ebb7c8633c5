using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using ImagingCds.Guidelines;
using ImagingCds.Scenarios;
using ImagingCds.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace ImagingCds.Tests.Fixtures;

/// <summary>
/// What both replays of fhir-fixtures/scenarios share (with prefetch, <see cref="ScenarioReplayTests"/>; from a FHIR
/// server, <see cref="ScenarioReplayFhirServerTests"/>): the scenario list, posting the hook, and the comparison.
/// </summary>
internal static class ScenarioReplay
{
    public const string HookPath = "/cds-services/spine-mri-appropriateness";

    public static string Folder => Repo.File("fhir-fixtures/scenarios");

    /// <summary>Every compact scenario, by path under <see cref="Folder"/>, in ordinal order.</summary>
    public static string[] FileNames() =>
        Directory.EnumerateFiles(Folder, "*.yaml", SearchOption.AllDirectories)
            .Select(file => Path.GetRelativePath(Folder, file))
            .Order(StringComparer.Ordinal)
            .ToArray();

    /// <summary><see cref="FileNames"/> as theory data.</summary>
    public static TheoryData<string> Files() => new(FileNames());

    public static Scenario Load(string scenarioFile)
    {
        var scenario = Scenario.Load(Path.Combine(Folder, scenarioFile));
        Assert.NotEmpty(scenario.Expected);
        return scenario;
    }

    /// <summary>
    /// Posts <paramref name="request"/> to the hook and asserts that the answer meets every expectation of
    /// <paramref name="scenario"/>; a mismatch reports each problem and the trace of the rules behind it.
    /// </summary>
    public static async Task AssertVerdictsAsync(HttpClient client, IServiceProvider services, Scenario scenario, JsonObject request, string label)
    {
        using var content = new StringContent(request.ToJsonString(), Encoding.UTF8, "application/json");
        using var response = await client.PostAsync(HookPath, content);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{label}: HTTP {(int)response.StatusCode}: {body}");

        var results = ExpectationResult.Check(scenario.Expected, scenario.NoEntry, AppropriatenessEntry.FromResponse(CdsHygiene.AssertCdsResponse(body)));
        var problems = results.Where(r => !r.Passed).Select(r => r.Problem).ToArray();
        Assert.True(problems.Length == 0, $"{label}:\n  {string.Join("\n  ", problems)}\n\nTrace (with everything in prefetch):\n{Trace(services, scenario)}");
    }

    /// <summary>The rules considered for each expected policy, with truth values and facts: what a mismatch needs to be understood.</summary>
    private static string Trace(IServiceProvider services, Scenario scenario)
    {
        var library = services.GetRequiredService<GuidelineLibrary>();
        var routes = services.GetRequiredService<IOptions<GuidelineOptions>>().Value.PayerRoutes;
        return ScenarioEvaluation.Trace(ScenarioEvaluation.Findings(scenario, library, routes).Where(f => scenario.Expected.Any(e => e.Policy == f.PolicyId)));
    }
}
