using System.Text.Json.Serialization;
using ImagingCds.Guidelines;
using ImagingCds.Record;
using Microsoft.AspNetCore.Http.HttpResults;
using Polly.CircuitBreaker;

namespace ImagingCds.Hooks;

/// <summary>Body of <c>GET /readyz</c>: what the service loaded, and the circuit breaker of every FHIR server it has called.</summary>
/// <param name="Status"><c>ready</c> when the discovery document and the guideline library are loaded, else <c>not-ready</c> (HTTP 503).</param>
public sealed record ReadinessReport(string Status, ReadinessCheck Discovery, ReadinessCheck Guidelines, IReadOnlyList<FhirServerCircuit> FhirServers);

/// <summary>One thing the service needs to answer hooks.</summary>
/// <param name="Status"><c>loaded</c> or <c>failed</c>.</param>
/// <param name="Detail">What was loaded (<c>5 policies</c>), or why it failed (the loader's message: file and problem).</param>
public sealed record ReadinessCheck(string Status, string Detail)
{
    [JsonIgnore]
    public bool IsLoaded => Status == "loaded";
}

/// <param name="Origin">The FHIR server's scheme, host and port.</param>
/// <param name="Circuit"><c>closed</c> (calls go through), <c>open</c> (calls are refused until the break ends and answered as
/// <c>error</c> verdicts), <c>half-open</c> (a trial call decides) or <c>isolated</c> (held open by hand).</param>
public sealed record FhirServerCircuit(string Origin, string Circuit);

/// <summary>
/// Readiness (<c>GET /readyz</c>). An open FHIR circuit does not make the service unready: it still answers every hook
/// (with <c>error</c> verdicts for that server's patients), and taking it out of the load balancer would not mend the EHR.
/// </summary>
/// <remarks>
/// The discovery document and the guideline library are loaded before the service listens, and a failure stops
/// start-up with its message, so a running service reports them loaded; a 503 would need one to fail after start.
/// </remarks>
public static class Readiness
{
    public static ReadinessReport Report(ReadinessCheck discovery, ReadinessCheck guidelines, IEnumerable<FhirCircuit> circuits)
    {
        ArgumentNullException.ThrowIfNull(discovery);
        ArgumentNullException.ThrowIfNull(guidelines);
        ArgumentNullException.ThrowIfNull(circuits);
        return new ReadinessReport(
            discovery.IsLoaded && guidelines.IsLoaded ? "ready" : "not-ready",
            discovery,
            guidelines,
            [.. circuits.Select(c => new FhirServerCircuit(c.Origin, Wire(c.State)))]);
    }

    /// <summary>The report as the endpoint answers it: 200 when ready, 503 when not.</summary>
    public static Results<Ok<ReadinessReport>, JsonHttpResult<ReadinessReport>> Answer(ReadinessReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        return report.Status == "ready" ? TypedResults.Ok(report) : TypedResults.Json(report, statusCode: StatusCodes.Status503ServiceUnavailable);
    }

    public static string Wire(CircuitState state) => state switch
    {
        CircuitState.Closed => "closed",
        CircuitState.Open => "open",
        CircuitState.HalfOpen => "half-open",
        CircuitState.Isolated => "isolated",
        _ => state.ToString().ToLowerInvariant(),
    };

    internal static Results<Ok<ReadinessReport>, JsonHttpResult<ReadinessReport>> Check(IServiceProvider services, FhirPipelines pipelines) =>
        Answer(Report(
            Load(() => services.GetRequiredService<ServiceCatalog>(), catalog => $"service '{ServiceCatalog.ServiceId}', {catalog.Prefetch.Count} prefetch templates"),
            Load(() => services.GetRequiredService<GuidelineLibrary>(), library => $"{library.Policies.Count} policies"),
            pipelines.Circuits));

    private static ReadinessCheck Load<T>(Func<T> resolve, Func<T, string> describe)
    {
        try
        {
            return new ReadinessCheck("loaded", describe(resolve()));
        }
#pragma warning disable CA1031 // Whatever a loader throws makes the service unready; its message is the detail.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            return new ReadinessCheck("failed", ex.Message);
        }
    }
}
