using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using ImagingCds.Scenarios;
using ImagingCds.Tests.Support;

namespace ImagingCds.Tests.Cards;

/// <summary>The documentation loop through HTTP: hook → form link → answers → new verdict and a completed QuestionnaireResponse.</summary>
public sealed class DocumentationFormsTests(CdsServiceFactory service) : IClassFixture<CdsServiceFactory>
{
    private static async Task<(JsonObject Entry, string Form)> NeedsDocumentationAsync(HttpClient client, string scenarioFile)
    {
        var scenario = Scenario.Load(Repo.File($"fhir-fixtures/scenarios/{scenarioFile}"));
        using var content = new StringContent(ScenarioFhir.Request(scenario).ToJsonString(), Encoding.UTF8, "application/json");
        using var response = await client.PostAsync("/cds-services/spine-mri-appropriateness", content);
        var card = JsonNode.Parse(await response.Content.ReadAsStringAsync())!["cards"]![0]!;
        var entry = card["extension"]!["appropriateness"]!.AsArray().Single()!.AsObject();
        var form = (string)card["links"]!.AsArray().First(l => ((string?)l!["url"])!.Contains("/forms/", StringComparison.Ordinal))!["url"]!;
        return (entry, new Uri(form).AbsolutePath);
    }

    public static TheoryData<string> NeedsDocumentationScenarios()
    {
        var data = new TheoryData<string>();
        foreach (var file in Directory.EnumerateFiles(Repo.File("fhir-fixtures/scenarios"), "*.yaml", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            var scenario = Scenario.Load(file);
            if (scenario.Orders.Count == 1 && scenario.Expected is [{ Verdict: "needs-documentation" }])
            {
                data.Add(Path.GetRelativePath(Repo.File("fhir-fixtures/scenarios"), file));
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(NeedsDocumentationScenarios))]
    public async Task Submit_AnswersTheMissingItems_VerdictBecomesAppropriate(string scenarioFile)
    {
        using var client = service.CreateClient();
        var (entry, form) = await NeedsDocumentationAsync(client, scenarioFile);
        var page = await client.GetStringAsync(form);
        Assert.Contains("<form", page, StringComparison.Ordinal);

        // Answer exactly what the card says is missing, the way that meets the indication.
        var answers = new JsonObject();
        Assert.NotEmpty(entry["missing"]!.AsArray());
        var needed = MissingKeys(page).ToArray();
        Assert.NotEmpty(needed);
        foreach (var (key, wanted) in needed)
        {
            answers[key] = wanted ? "yes" : "no";
        }

        using var submitted = await client.PostAsJsonAsync(form, new { answers });
        Assert.Equal(HttpStatusCode.OK, submitted.StatusCode);
        var result = JsonNode.Parse(await submitted.Content.ReadAsStringAsync())!;

        // A case another guideline decides (defers_to) is never approved from answers: it stays for review.
        var deferred = entry["missing"]!.AsArray().Any(m => ((string?)m)!.Contains("does not encode", StringComparison.Ordinal));
        Assert.True((string?)result["verdict"] == (deferred ? "needs-documentation" : "appropriate"), $"{scenarioFile}: {result["verdict"]} — {result["summary"]} — answered {answers.ToJsonString()}");
        Assert.Equal("completed", (string?)result["questionnaireResponse"]!["status"]);
        Assert.Equal("QuestionnaireResponse", (string?)result["questionnaireResponse"]!["resourceType"]);
    }

    [Fact]
    public async Task Page_UnknownToken_Is404()
    {
        using var client = service.CreateClient();
        using var response = await client.GetAsync("/forms/not-a-real-token");
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Fact]
    public async Task Submit_NotJson_Is400()
    {
        using var client = service.CreateClient();
        var first = (string)NeedsDocumentationScenarios().Cast<object[]>().First()[0];
        var (_, form) = await NeedsDocumentationAsync(client, first);
        using var content = new StringContent("{not json", Encoding.UTF8, "application/json");
        using var response = await client.PostAsync(form, content);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    [Theory]
    [InlineData("""{"answers": {"a": "yes", "a": "no"}}""")] // a repeated key
    [InlineData("""{"answers": {"a": "\uD800"}}""")] // a lone surrogate in a value
    [InlineData("""{"answers": {"\uDC00": "yes"}}""")] // and in a key
    public async Task Submit_JsonOutsideTheRules_Is400(string json)
    {
        using var client = service.CreateClient();
        var first = (string)NeedsDocumentationScenarios().Cast<object[]>().First()[0];
        var (_, form) = await NeedsDocumentationAsync(client, first);
        using var content = new StringContent(json, Encoding.UTF8, "application/json");

        using var response = await client.PostAsync(form, content);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    [Theory]
    [InlineData(1_000, HttpStatusCode.OK)]
    [InlineData(100_000, HttpStatusCode.BadRequest)]
    public async Task Submit_BodySize_IsReadUpTo64KiB(int padding, HttpStatusCode expected)
    {
        using var client = service.CreateClient();
        var first = (string)NeedsDocumentationScenarios().Cast<object[]>().First()[0];
        var (_, form) = await NeedsDocumentationAsync(client, first);
        using var content = new StringContent($$$"""{"answers": {}, "padding": "{{{new string('y', padding)}}}"}""", Encoding.UTF8, "application/json");

        using var response = await client.PostAsync(form, content);

        Assert.Equal(expected, response.StatusCode);
    }

    /// <summary>The questions the form marks as needed for the criterion, and the answer that meets it.</summary>
    private static IEnumerable<(string Key, bool Wanted)> MissingKeys(string page)
    {
        foreach (var part in page.Split("data-link=\"").Skip(1))
        {
            var key = WebUtility.HtmlDecode(part[..part.IndexOf('"', StringComparison.Ordinal)]);
            var wanted = !part[..part.IndexOf('>', StringComparison.Ordinal)].Contains("data-wanted=\"no\"", StringComparison.Ordinal);
            if (part[..part.IndexOf('>', StringComparison.Ordinal)].Contains("class=\"open needed\"", StringComparison.Ordinal))
            {
                yield return (key, wanted);
            }
        }
    }
}
