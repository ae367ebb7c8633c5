using ImagingCds.Scenarios;
using ImagingCds.Tests.Support;

namespace ImagingCds.Tests.Fixtures;

/// <summary>Replays every scenario of fhir-fixtures/scenarios through the real hook endpoint, with everything in prefetch.</summary>
public sealed class ScenarioReplayTests(CdsServiceFactory service) : IClassFixture<CdsServiceFactory>
{
    public static TheoryData<string> Scenarios() => ScenarioReplay.Files();

    [Theory]
    [MemberData(nameof(Scenarios))]
    public async Task Replay_WithPrefetch_MatchesExpectedVerdicts(string scenarioFile)
    {
        var scenario = ScenarioReplay.Load(scenarioFile);
        using var client = service.CreateClient();
        await ScenarioReplay.AssertVerdictsAsync(client, service.Services, scenario, ScenarioFhir.Request(scenario), scenarioFile);
    }
}
