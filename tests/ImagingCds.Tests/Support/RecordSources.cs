using System.Text.Json;
using ImagingCds.Hooks;
using ImagingCds.Record;
using Microsoft.Extensions.Options;
using Polly.Registry;

namespace ImagingCds.Tests.Support;

/// <summary>The record stage's sources wired as the service wires them, against the real discovery document.</summary>
internal static class RecordSources
{
    public const string PatientId = "p1";
    public const string AccessToken = "token-abc";

    private static readonly Lazy<Task> WarmedUp = new(WarmUpOnceAsync);

    /// <summary>The prefetch templates of the repository's <c>cds-services.json</c> (copied beside the tests).</summary>
    public static IReadOnlyDictionary<string, string> Templates { get; } =
        ServiceCatalog.Load(Path.Combine(AppContext.BaseDirectory, "cds-services.json")).Prefetch;

    /// <summary>Options for tests about behaviour rather than time: budgets no loopback call comes near.</summary>
    public static FhirOptions Relaxed(Action<FhirOptions>? change = null)
    {
        var options = new FhirOptions
        {
            RecordBudget = TimeSpan.FromSeconds(10),
            AttemptTimeout = TimeSpan.FromSeconds(5),
            RetryBaseDelay = TimeSpan.FromMilliseconds(1),
        };
        change?.Invoke(options);
        return options;
    }

    public static FhirServerSource FhirServer(FhirOptions options, FhirPipelines? pipelines = null) =>
        new(LoopbackHttpClients.Shared, pipelines ?? new FhirPipelines(new ResiliencePipelineRegistry<string>()), Templates, Options.Create(options), TimeProvider.System);

    public static RecordQuery Query(Uri? fhirServer, IReadOnlyDictionary<string, JsonElement>? prefetch = null, string patientId = PatientId) =>
        new(patientId, "Practitioner/dr-1", null, prefetch ?? new Dictionary<string, JsonElement>(), fhirServer,
            fhirServer is null ? null : new FhirAuthorization(AccessToken, "Bearer", "user/*.read", null));

    /// <summary>
    /// Reads one whole record from a loopback server once per test run, so the first timed test measures the
    /// budget and not the JIT compiling HttpClient, Polly and the JSON readers.
    /// </summary>
    public static Task WarmUpAsync() => WarmedUp.Value;

    private static async Task WarmUpOnceAsync()
    {
        // Pages, a retry, an attempt timeout and a budget running out: every path a timed test goes through.
        await using var server = await FakeFhirServer.StartAsync();
        server.On(
            "Condition",
            Reply.Status(503),
            Reply.Json(SomeJson.SearchSet(SomeJson.Resources("Condition", PatientId, 3, "a"), $"{server.BaseUrl}Condition?page=2")),
            Reply.Json(SomeJson.SearchSet(SomeJson.Resources("Condition", PatientId, 3, "b"))));
        server.On("Procedure", Reply.Hang());
        var wanted = new HashSet<string>(RecordParts.All, StringComparer.Ordinal);
        var attemptsTimeOut = Relaxed(o => (o.AttemptTimeout, o.MaxRetries) = (TimeSpan.FromMilliseconds(20), 1));
        await FhirServer(attemptsTimeOut).ReadAsync(Query(server.BaseUrl), wanted, CancellationToken.None);
        var budgetRunsOut = Relaxed(o => o.RecordBudget = TimeSpan.FromMilliseconds(50));
        await FhirServer(budgetRunsOut).ReadAsync(Query(server.BaseUrl), wanted, CancellationToken.None);
    }
}
