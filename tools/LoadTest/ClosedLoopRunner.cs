using System.Diagnostics;

namespace ImagingCds.LoadTest;

/// <summary>
/// Closed-loop load: <c>connections</c> workers, each sending its next request as soon as the previous answer is read,
/// until the duration is over. The server's speed sets the rate, so throughput and latency at a fixed concurrency are
/// what is measured (the open-loop <see cref="LoadRunner"/> holds a rate instead).
/// </summary>
public static class ClosedLoopRunner
{
    public static async Task<RunResult> RunAsync(HttpClient client, Uri endpoint, byte[] body, int connections, TimeSpan duration, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(connections);
        var clock = Stopwatch.StartNew();
        var workers = Enumerable.Range(0, connections)
            .Select(_ => Task.Run(() => WorkAsync(client, endpoint, body, clock, duration, cancellationToken), cancellationToken))
            .ToArray();
        var outcomes = await Task.WhenAll(workers);
        // Wall time until the last answer: a request started just before the end still counts, and so does its time.
        var elapsed = clock.Elapsed;
        var errors = outcomes.Sum(o => o.Errors);
        var latencies = outcomes.SelectMany(o => o.LatenciesMs).Order().ToArray();
        return new RunResult(latencies.Length + errors, errors, 0, elapsed, latencies);
    }

    private static async Task<WorkerOutcome> WorkAsync(HttpClient client, Uri endpoint, byte[] body, Stopwatch clock, TimeSpan duration, CancellationToken cancellationToken)
    {
        var latencies = new List<double>();
        var errors = 0;
        while (clock.Elapsed < duration)
        {
            var answer = await JsonPost.SendAsync(client, endpoint, body, cancellationToken);
            if (answer.IsOk)
            {
                latencies.Add(answer.LatencyMs);
            }
            else
            {
                errors++;
            }
        }

        return new WorkerOutcome(latencies, errors);
    }

    private sealed record WorkerOutcome(List<double> LatenciesMs, int Errors);
}
