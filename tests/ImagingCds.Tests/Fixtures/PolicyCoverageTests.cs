using ImagingCds.Guidelines;
using Microsoft.Extensions.Configuration;
using ImagingCds.Tests.Support;

namespace ImagingCds.Tests.Fixtures;

/// <summary>Keeps docs/policy-coverage.md current (UPDATE_DOCS=1 rewrites it) and every rule exercised.</summary>
public sealed class PolicyCoverageTests
{
    private static string Render()
    {
        var library = GuidelineLibrary.Load(Repo.File("guidelines"));
        var scenarios = ScenarioEvaluation.All(Repo.File("fhir-fixtures/scenarios")).ToArray();
        return PolicyCoverageReport.Render(library, PolicyCoverageReport.Inventories(Repo.File("guidelines/sections")),
            PolicyCoverageReport.Exercised(scenarios, library, AppSettingsRoutes().PayerRoutes), scenarios.Length);
    }

    /// <summary>The payer routes the service ships with (appsettings.json), so scenarios route as in production.</summary>
    internal static GuidelineOptions AppSettingsRoutes()
    {
        var configuration = new ConfigurationBuilder()
            .AddJsonFile(Repo.File("src/ImagingCds/appsettings.json"))
            .Build();
        var options = new GuidelineOptions();
        ConfigurationBinder.Bind(configuration.GetSection(GuidelineOptions.Section), options);
        return options;
    }

    [Fact]
    public void Render_CoverageReport_MatchesTheCommittedPage()
    {
        var page = Render();
        var path = Repo.File("docs/policy-coverage.md");
        if (Environment.GetEnvironmentVariable("UPDATE_DOCS") == "1")
        {
            File.WriteAllText(path, page);
        }

        Assert.True(File.Exists(path) && File.ReadAllText(path) == page, "docs/policy-coverage.md is stale: run UPDATE_DOCS=1 dotnet test --filter PolicyCoverageTests");
    }
}
