using System.Collections.Concurrent;
using Polly;
using Polly.CircuitBreaker;
using Polly.Registry;

namespace ImagingCds.Record;

/// <summary>The circuit breaker of one FHIR server, as the readiness report shows it.</summary>
/// <param name="Origin">The server's scheme, host and port, e.g. <c>https://ehr.example.org</c>.</param>
public sealed record FhirCircuit(string Origin, CircuitState State);

/// <summary>
/// The FHIR client's resilience pipelines, one per FHIR server origin and so one circuit breaker each, kept in the
/// resilience registry; and the state of each breaker (Polly's <see cref="CircuitBreakerStateProvider"/>).
/// </summary>
/// <remarks>Thread safe. Origins are remembered for the life of the process, as the registry keeps their pipelines.</remarks>
public sealed class FhirPipelines(ResiliencePipelineRegistry<string> registry)
{
    private readonly ConcurrentDictionary<string, CircuitBreakerStateProvider> _circuits = new(StringComparer.Ordinal);
    private readonly Lock _building = new();

    /// <summary>Every origin called so far and its breaker's state now, by origin.</summary>
    public IReadOnlyList<FhirCircuit> Circuits =>
        [.. _circuits.OrderBy(c => c.Key, StringComparer.Ordinal).Select(c => new FhirCircuit(c.Key, c.Value.CircuitState))];

    /// <summary>The pipeline of <paramref name="origin"/>, built with <see cref="FhirServerSource.ConfigurePipeline"/> on first use.</summary>
    internal ResiliencePipeline<FetchResult> For(string origin, FhirOptions options, TimeProvider time)
    {
        if (registry.TryGetPipeline<FetchResult>(origin, out var pipeline))
        {
            return pipeline;
        }

        // The registry may run the builder twice when the first parallel reads of a server race, keeping one result;
        // built under a lock, each origin has exactly one breaker, and it is the one whose state is reported.
        lock (_building)
        {
            return registry.GetOrAddPipeline<FetchResult>(origin, builder =>
            {
                var circuit = new CircuitBreakerStateProvider();
                FhirServerSource.ConfigurePipeline(builder, options, time, circuit);
                _circuits[origin] = circuit;
            });
        }
    }
}
