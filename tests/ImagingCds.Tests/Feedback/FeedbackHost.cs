using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using ImagingCds.Tests.Support;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;

namespace ImagingCds.Tests.Feedback;

/// <summary>
/// What feedback tests need around the service: a guideline folder with two small test policies (so a real hook
/// call issues cards with known verdicts and rules) and a fresh temporary folder for databases.
/// </summary>
/// <remarks>
/// The policies: <c>evicore-cigna-spine</c> finds a lumbar MRI for an adult <c>appropriate</c> by rule
/// <c>t-1-adult</c>; <c>nia-lumbar-mri</c> asks for documentation of rule <c>n-1-positional</c>.
/// </remarks>
public sealed class FeedbackHost : IDisposable
{
    public const string ServiceUrl = "/cds-services/spine-mri-appropriateness";
    public const string FeedbackUrl = ServiceUrl + "/feedback";

    private readonly string _root = Path.Combine(Path.GetTempPath(), "imagingcds-feedback-" + Guid.NewGuid().ToString("N"));
    private readonly Lazy<WebApplicationFactory<Program>> _shared;

    public FeedbackHost()
    {
        _shared = new(() => Start(NewDatabasePath()));
        GuidelinesFolder = Path.Combine(_root, "guidelines");
        foreach (var part in new[] { "facts", "terminology" })
        {
            var target = Directory.CreateDirectory(Path.Combine(GuidelinesFolder, part)).FullName;
            foreach (var file in Directory.EnumerateFiles(Repo.File($"guidelines/{part}"), "*.yaml"))
            {
                File.Copy(file, Path.Combine(target, Path.GetFileName(file)));
            }
        }

        var policies = Directory.CreateDirectory(Path.Combine(GuidelinesFolder, "policies")).FullName;
        File.WriteAllText(Path.Combine(policies, "evicore-cigna-spine.yaml"), Policy("evicore-cigna-spine", "Test Payer A", """
              - id: t-1-adult
                kind: indication
                title: Adult with back pain
                section: T-1
                when: { fact: age_years, ge: 18 }
            """));
        File.WriteAllText(Path.Combine(policies, "nia-lumbar-mri.yaml"), Policy("nia-lumbar-mri", "Test Payer B", """
              - id: n-1-positional
                kind: indication
                title: Positional MRI
                section: N-1
                when: { fact: order_positional_mri }
            """));
    }

    public string GuidelinesFolder { get; }

    /// <summary>One service for the tests of a class that only need answers, not a database of their own.</summary>
    public WebApplicationFactory<Program> Shared => _shared.Value;

    /// <summary>A database path in a folder that does not exist yet (the service must create it).</summary>
    public string NewDatabasePath() => Path.Combine(_root, "db-" + Guid.NewGuid().ToString("N"), "feedback.db");

    /// <summary>The service over <paramref name="databasePath"/>, logging everything to <paramref name="logs"/> when given.</summary>
    public WebApplicationFactory<Program> Start(string databasePath, LogCapture? logs = null) => new Factory(GuidelinesFolder, databasePath, logs);

    /// <summary>Calls the order-sign hook for lumbar MRIs (one card per order) and returns the card uuids, in order.</summary>
    public static async Task<IReadOnlyList<string>> IssueCardsAsync(HttpClient client, params string[] orderIds)
    {
        var body = Some.OrderSignRequest([.. orderIds.Select(id => Some.SpineMriOrder(id))]);
        body["prefetch"] = new JsonObject
        {
            ["patient"] = Some.Patient(),
            ["conditions"] = Some.Bundle(Some.Condition("c1")),
        };
        using var response = await client.PostAsync(ServiceUrl, Json(body));
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"hook call: HTTP {(int)response.StatusCode}: {text}");
        return [.. JsonNode.Parse(text)!["cards"]!.AsArray().Select(card => card!["uuid"]!.GetValue<string>())];
    }

    public static StringContent Json(JsonNode body) => new(body.ToJsonString(), Encoding.UTF8, "application/json");

    public static StringContent Json(string body) => new(body, Encoding.UTF8, "application/json");

    public static async Task<JsonObject> SummaryAsync(HttpClient client)
    {
        using var response = await client.GetAsync("/feedback/summary");
        Assert.True(response.IsSuccessStatusCode, $"summary: HTTP {(int)response.StatusCode}");
        return Assert.IsType<JsonObject>(await response.Content.ReadFromJsonAsync<JsonNode>());
    }

    public void Dispose()
    {
        if (_shared.IsValueCreated)
        {
            _shared.Value.Dispose();
        }

        // Pooled connections keep database files open; close them before removing the folder.
        SqliteConnection.ClearAllPools();
        Directory.Delete(_root, recursive: true);
    }

    private static string Policy(string id, string payer, string rules) => $"""
        id: {id}
        payer: {payer}
        title: Test policy {id}
        version: "1"
        effective: "2024-01-01"
        source: test.txt
        cpt: ["72148"]
        rules:
        {rules}
        """;

    private sealed class Factory(string guidelines, string databasePath, LogCapture? logs) : WebApplicationFactory<Program>
    {
        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            builder.UseEnvironment("Development")
                .UseSetting("Guidelines:Folder", guidelines)
                .UseSetting("Guidelines:RequireAllPolicies", "false")
                .UseSetting("Feedback:DatabasePath", databasePath);
            if (logs is not null)
            {
                builder.ConfigureLogging(logging => logging.AddProvider(logs).AddFilter<LogCapture>(null, LogLevel.Trace).SetMinimumLevel(LogLevel.Trace));
            }
        }
    }
}
