using System.Diagnostics;

namespace ImagingCds.LoadTest;

/// <summary>The outcome of one fixed-duration run.</summary>
/// <param name="ErrorReasons">Errors by reason (e.g. <c>status 500</c>), when the runner tells them apart.</param>
public sealed record RunResult(int Sent, int Errors, int Skipped, TimeSpan Elapsed, IReadOnlyList<double> LatenciesMs, IReadOnlyDictionary<string, int>? ErrorReasons = null)
{
    /// <summary>Requests sent per second of wall time (the schedule's own rate when nothing lags).</summary>
    public double AchievedRate => Elapsed > TimeSpan.Zero ? Sent / Elapsed.TotalSeconds : 0;

    /// <summary>Successful answers per second of wall time: in a closed loop, what the server sustained.</summary>
    public double Throughput => Elapsed > TimeSpan.Zero ? LatenciesMs.Count / Elapsed.TotalSeconds : 0;

    public double P50 => Percentile(50);
    public double P95 => Percentile(95);
    public double P99 => Percentile(99);
    public double Max => LatenciesMs.Count == 0 ? double.NaN : LatenciesMs[^1];

    /// <summary>Slices of one endpoint's measurement as one run: counts and times add up, latencies merge in order.</summary>
    public static RunResult Merge(IReadOnlyCollection<RunResult> slices)
    {
        ArgumentNullException.ThrowIfNull(slices);
        return new RunResult(
            slices.Sum(r => r.Sent),
            slices.Sum(r => r.Errors),
            slices.Sum(r => r.Skipped),
            slices.Aggregate(TimeSpan.Zero, (total, r) => total + r.Elapsed),
            slices.SelectMany(r => r.LatenciesMs).Order().ToArray(),
            slices.SelectMany(r => r.ErrorReasons ?? new Dictionary<string, int>()).GroupBy(e => e.Key, StringComparer.Ordinal)
                .ToDictionary(g => g.Key, g => g.Sum(e => e.Value), StringComparer.Ordinal));
    }

    /// <summary>Nearest-rank percentile of the (sorted) latencies, in milliseconds.</summary>
    public double Percentile(double p)
    {
        if (LatenciesMs.Count == 0)
        {
            return double.NaN;
        }

        var rank = (int)Math.Ceiling(p / 100 * LatenciesMs.Count);
        return LatenciesMs[Math.Clamp(rank, 1, LatenciesMs.Count) - 1];
    }
}

/// <summary>
/// Open-loop load: a token schedule (request k is due at k / rate seconds) checked every few milliseconds by a
/// <see cref="PeriodicTimer"/>, so a slow answer never delays the next send. At most <c>concurrency</c> requests are in
/// flight; a due request that would exceed the cap is not sent and counts as skipped (an error: the rate was not held).
/// </summary>
public static class LoadRunner
{
    public static async Task<RunResult> RunAsync(HttpClient client, Uri endpoint, byte[] body, int rate, TimeSpan duration, int concurrency, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(rate);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(concurrency);

        var total = (int)Math.Round(rate * duration.TotalSeconds);
        var latencies = new double[total];
        var completed = new bool[total];
        var inFlight = 0;
        var errors = 0;
        var skipped = 0;
        var tasks = new List<Task>(total);
        var tick = TimeSpan.FromMilliseconds(Math.Clamp(1000.0 / rate, 1, 10));
        var clock = Stopwatch.StartNew();
        using var timer = new PeriodicTimer(tick);
        var next = 0;
        while (next < total)
        {
            var due = Math.Min(total, (int)(clock.Elapsed.TotalSeconds * rate) + 1);
            for (; next < due; next++)
            {
                if (Interlocked.Increment(ref inFlight) > concurrency)
                {
                    Interlocked.Decrement(ref inFlight);
                    skipped++;
                    continue;
                }

                var index = next;
                tasks.Add(Task.Run(async () =>
                {
                    try
                    {
                        if (await SendAsync(client, endpoint, body, latencies, index, cancellationToken))
                        {
                            completed[index] = true;
                        }
                        else
                        {
                            Interlocked.Increment(ref errors);
                        }
                    }
                    finally
                    {
                        Interlocked.Decrement(ref inFlight);
                    }
                }, CancellationToken.None));
            }

            if (next < total)
            {
                await timer.WaitForNextTickAsync(cancellationToken);
            }
        }

        var sendingTime = clock.Elapsed;
        await Task.WhenAll(tasks);
        var ok = latencies.Where((_, i) => completed[i]).Order().ToArray();
        return new RunResult(tasks.Count, errors + skipped, skipped, sendingTime > duration ? sendingTime : duration, ok);
    }

    private static async Task<bool> SendAsync(HttpClient client, Uri endpoint, byte[] body, double[] latencies, int index, CancellationToken cancellationToken)
    {
        var answer = await JsonPost.SendAsync(client, endpoint, body, cancellationToken);
        latencies[index] = answer.LatencyMs;
        return answer.IsOk;
    }
}
