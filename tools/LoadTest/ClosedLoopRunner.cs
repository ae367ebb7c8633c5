using System.Diagnostics;

namespace ImagingCds.LoadTest;

/// <summary>
/// Closed-loop load: <c>connections</c> workers, each sending its next request as soon as the previous answer is read,
/// until the duration is over. The server's speed sets the rate, so throughput and latency at a fixed concurrency are
/// what is measured (the open-loop <see cref="LoadRunner"/> holds a rate instead).
/// </summary>
public static class ClosedLoopRunner
{
    /// <param name="check">Why an answer is an error, or null for a success (default: any 200 succeeds).</param>
    public static async Task<RunResult> RunAsync(
        HttpClient client, Uri endpoint, byte[] body, int connections, TimeSpan duration, AnswerCheck? check = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(client);
        check ??= AnswerChecks.Status200;
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(connections);
        var clock = Stopwatch.StartNew();
        var workers = Enumerable.Range(0, connections)
            .Select(_ => Task.Run(() => WorkAsync(client, endpoint, body, clock, duration, check, cancellationToken), cancellationToken))
            .ToArray();
        var outcomes = await Task.WhenAll(workers);
        // Wall time until the last answer: a request started just before the end still counts, and so does its time.
        var elapsed = clock.Elapsed;
        var reasons = outcomes.SelectMany(o => o.Errors).GroupBy(reason => reason, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);
        var errors = reasons.Values.Sum();
        var latencies = outcomes.SelectMany(o => o.LatenciesMs).Order().ToArray();
        return new RunResult(latencies.Length + errors, errors, 0, elapsed, latencies, reasons);
    }

    private static async Task<WorkerOutcome> WorkAsync(
        HttpClient client, Uri endpoint, byte[] body, Stopwatch clock, TimeSpan duration, AnswerCheck check, CancellationToken cancellationToken)
    {
        var outcome = new WorkerOutcome([], []);
        while (clock.Elapsed < duration)
        {
            var answer = await JsonPost.SendAsync(client, endpoint, body, cancellationToken);
            if (check(answer) is { } error)
            {
                outcome.Errors.Add(error);
            }
            else
            {
                outcome.LatenciesMs.Add(answer.LatencyMs);
            }
        }

        return outcome;
    }

    /// <summary>One worker's latencies of successful answers and the reason of each error.</summary>
    private sealed record WorkerOutcome(List<double> LatenciesMs, List<string> Errors);
}
