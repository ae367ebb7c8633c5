using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using ImagingCds.Guidelines;
using ImagingCds.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace ImagingCds.Tests.Fixtures;

/// <summary>Replays every scenario of fhir-fixtures/scenarios through the real hook endpoint, with everything in prefetch.</summary>
public sealed class ScenarioReplayTests(CdsServiceFactory service) : IClassFixture<CdsServiceFactory>
{
    public static TheoryData<string> Scenarios()
    {
        var data = new TheoryData<string>();
        var folder = Repo.File("fhir-fixtures/scenarios");
        foreach (var file in Directory.EnumerateFiles(folder, "*.yaml", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            data.Add(Path.GetRelativePath(folder, file));
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Scenarios))]
    public async Task Replay_WithPrefetch_MatchesExpectedVerdicts(string scenarioFile)
    {
        var scenario = Scenario.Load(Path.Combine(Repo.File("fhir-fixtures/scenarios"), scenarioFile));
        Assert.NotEmpty(scenario.Expected);
        var request = ScenarioFhir.Request(scenario);
        using var client = service.CreateClient();
        using var content = new StringContent(request.ToJsonString(), Encoding.UTF8, "application/json");
        using var response = await client.PostAsync("/cds-services/spine-mri-appropriateness", content);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{scenarioFile}: HTTP {(int)response.StatusCode}: {body}");

        var entries = (CdsHygiene.AssertCdsResponse(body)["cards"]?.AsArray() ?? [])
            .SelectMany(card => card?["extension"]?["appropriateness"]?.AsArray() ?? [])
            .Select(e => e!.AsObject())
            .ToArray();
        var problems = new List<string>();
        foreach (var expected in scenario.Expected)
        {
            var entry = entries.FirstOrDefault(e => (string?)e["order"] == $"ServiceRequest/{expected.Order}" && (string?)e["policy"] == expected.Policy);
            if (entry is null)
            {
                problems.Add($"no entry for {expected.Order} / {expected.Policy}");
                continue;
            }

            var verdict = (string?)entry["verdict"];
            var criteria = entry["criteria"]?.AsArray().Select(c => (string?)c).ToArray() ?? [];
            if (verdict != expected.Verdict)
            {
                problems.Add($"{expected.Order} / {expected.Policy}: expected {expected.Verdict} ({expected.Section}), got {verdict} [{string.Join("; ", criteria)}]");
            }
            else if (expected.Section is { } section && verdict is "appropriate" or "not-appropriate" &&
                     !criteria.Any(c => c is not null && c.StartsWith(section, StringComparison.Ordinal)))
            {
                problems.Add($"{expected.Order} / {expected.Policy}: {verdict} as expected, but decided by [{string.Join("; ", criteria)}], not {section}");
            }
            else if (verdict == "needs-documentation" && entry["missing"] is not JsonArray { Count: > 0 })
            {
                problems.Add($"{expected.Order} / {expected.Policy}: needs-documentation without 'missing'");
            }
        }

        foreach (var absent in scenario.NoEntry)
        {
            if (entries.Any(e => (string?)e["order"] == $"ServiceRequest/{absent.Order}" && (string?)e["policy"] == absent.Policy))
            {
                problems.Add($"unexpected entry for {absent.Order} / {absent.Policy}");
            }
        }

        Assert.True(problems.Count == 0, $"{scenarioFile}:\n  {string.Join("\n  ", problems)}\n\nTrace:\n{Trace(scenario)}");
    }

    /// <summary>The rules considered for each expected policy, with truth values and facts: what a mismatch needs to be understood.</summary>
    private string Trace(Scenario scenario)
    {
        var library = service.Services.GetRequiredService<GuidelineLibrary>();
        var routes = service.Services.GetRequiredService<IOptions<GuidelineOptions>>().Value.PayerRoutes;
        return ScenarioEvaluation.Trace(ScenarioEvaluation.Findings(scenario, library, routes).Where(f => scenario.Expected.Any(e => e.Policy == f.PolicyId)));
    }
}
