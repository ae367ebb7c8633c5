using System.Globalization;

namespace ImagingCds.LoadTest;

/// <summary>One run's numbers and the server's memory read right after it.</summary>
public sealed record RunReport(int Run, RunResult Result, long? WorkingSetBytes, long? PeakWorkingSetBytes);

/// <summary>The whole invocation: the runs, the verdict, and why it failed if it did.</summary>
public sealed record LoadReport(IReadOnlyList<RunReport> Runs, int ExitCode, IReadOnlyList<string> Failures);

/// <summary>
/// Runs <see cref="LoadOptions.Runs"/> fixed-duration runs and prints one Markdown table row per run.
/// Fails (exit code 1) if any request errored (non-200, exception, or skipped at the concurrency cap), or — when the
/// server's pid is given and there is more than one run — if the working set after the last run is more than 20% above
/// the working set after the first run (the first run absorbs JIT and warm-up; growth beyond that suggests a leak).
/// </summary>
public static class LoadTool
{
    public const double AllowedWorkingSetGrowth = 0.20;

    public static async Task<LoadReport> RunAsync(LoadOptions options, TextWriter output, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(output);
        var body = await File.ReadAllBytesAsync(options.BodyPath, cancellationToken);
        using var handler = new SocketsHttpHandler { MaxConnectionsPerServer = options.Concurrency, PooledConnectionLifetime = Timeout.InfiniteTimeSpan };
        using var client = new HttpClient(handler) { Timeout = TimeSpan.FromSeconds(30) };

        await output.WriteLineAsync($"POST {options.Endpoint} at {options.Rate} req/s for {options.Duration.TotalSeconds:0.#} s x {options.Runs} run(s), at most {options.Concurrency} in flight");
        await output.WriteLineAsync();
        await output.WriteLineAsync("| Run | Sent | Errors | Rate (req/s) | p50 ms | p95 ms | p99 ms | max ms | Working set MB | Peak working set MB |");
        await output.WriteLineAsync("|----:|-----:|-------:|-------------:|-------:|-------:|-------:|-------:|---------------:|--------------------:|");
        var runs = new List<RunReport>();
        for (var run = 1; run <= options.Runs; run++)
        {
            var result = await LoadRunner.RunAsync(client, options.Endpoint, body, options.Rate, options.Duration, options.Concurrency, cancellationToken);
            var memory = ServiceMemory.Read(options.Pid);
            var report = new RunReport(run, result, memory?.WorkingSetBytes, memory?.PeakWorkingSetBytes);
            runs.Add(report);
            await output.WriteLineAsync(Row(report));
        }

        var failures = new List<string>();
        var errors = runs.Sum(r => r.Result.Errors);
        if (errors > 0)
        {
            failures.Add($"{errors} error(s): non-200 answers, exceptions or sends skipped at the concurrency cap ({runs.Sum(r => r.Result.Skipped)} skipped)");
        }

        if (runs.Count > 1 && runs[0].WorkingSetBytes is long first && runs[^1].WorkingSetBytes is long last && last > first * (1 + AllowedWorkingSetGrowth))
        {
            failures.Add($"working set grew from {Mb(first)} MB after run 1 to {Mb(last)} MB after run {runs.Count}, more than {AllowedWorkingSetGrowth:P0}");
        }

        await output.WriteLineAsync();
        await output.WriteLineAsync(failures.Count == 0
            ? $"PASS: zero errors; working set after the last run within {AllowedWorkingSetGrowth:P0} of the first run's{(options.Pid is null ? " (not checked: no --pid)" : "")}"
            : "FAIL: " + string.Join("; ", failures));
        return new LoadReport(runs, failures.Count == 0 ? 0 : 1, failures);
    }

    private static string Row(RunReport r) => string.Create(CultureInfo.InvariantCulture,
        $"| {r.Run} | {r.Result.Sent} | {r.Result.Errors} | {r.Result.AchievedRate:0.0} | {r.Result.P50:0.0} | {r.Result.P95:0.0} | {r.Result.P99:0.0} | {r.Result.Max:0.0} | {Mb(r.WorkingSetBytes)} | {Mb(r.PeakWorkingSetBytes)} |");

    private static string Mb(long? bytes) => ServiceMemory.Mb(bytes);
}
