using System.Globalization;

namespace ImagingCds.LoadTest;

/// <summary>One concurrency level: the hook and the floor, each measured for the same time, and the service's memory after it.</summary>
public sealed record LevelResult(int Connections, RunResult Hook, RunResult Floor, ServiceMemory? Memory)
{
    /// <summary>Hook p99 over floor p99: what the hook's own work adds to the tail.</summary>
    public double P99Ratio => Hook.P99 / Floor.P99;

    /// <summary>Hook throughput over floor throughput: the share of the HTTP stack's capacity the hook keeps.</summary>
    public double ThroughputRatio => Hook.Throughput / Floor.Throughput;

    public int Errors => Hook.Errors + Floor.Errors;
}

/// <summary>The whole comparison: the levels, the service's peak working set, the verdict and why it failed if it did.</summary>
public sealed record ComparisonReport(int AnswerBytes, IReadOnlyList<LevelResult> Levels, long? PeakWorkingSetBytes, int ExitCode, IReadOnlyList<string> Failures);

/// <summary>
/// <c>--compare-floor</c>: learns the hook's answer size from one call, checks the floor endpoint answers that size,
/// then at each concurrency level warms both and runs them closed-loop in the order hook, floor, hook (half the hook's
/// time in each of its slices), so a drift in machine load falls on both alike. Prints a Markdown table as it goes.
/// Fails (exit code 1) on any error, warm-up included: no answer, a non-200, a hook answer without real verdicts, or a
/// floor answer of the wrong size. The targets (issue #8) are reported, not enforced: on a shared 2-core machine they
/// are evidence, not a gate.
/// </summary>
public static class FloorComparison
{
    public static async Task<ComparisonReport> RunAsync(FloorComparisonOptions options, TextWriter output, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(output);
        var body = options.BodyPath is null ? TypicalRecord.WithPrefetch() : await File.ReadAllBytesAsync(options.BodyPath, cancellationToken);
        using var handler = new SocketsHttpHandler { MaxConnectionsPerServer = options.Connections.Max(), PooledConnectionLifetime = Timeout.InfiniteTimeSpan };
        using var client = new HttpClient(handler) { Timeout = TimeSpan.FromSeconds(30) };

        var first = await JsonPost.SendAsync(client, options.HookEndpoint, body, cancellationToken);
        var verdicts = HookVerdicts.Of(first.Body);
        if (AnswerChecks.RealVerdicts(first) is { } notReal)
        {
            return await FailAsync(output, first.Body.Length, $"the hook's first answer: {notReal}; nothing real to compare");
        }

        var pair = new EndpointPair(options.HookEndpoint, options.FloorEndpoint(first.Body.Length), body, first.Body.Length);
        var floor = await JsonPost.SendAsync(client, pair.Floor, body, cancellationToken);
        if (AnswerChecks.Size(pair.AnswerBytes)(floor) is { } wrongFloor)
        {
            return await FailAsync(output, first.Body.Length, floor.Status == 404
                ? "the floor endpoint answered 404: start the service with Performance__FloorEndpoint=true"
                : $"the floor endpoint's first answer: {wrongFloor}");
        }

        await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
            $"closed loop on {pair.Hook} and {pair.Floor}: request {body.Length} bytes, answer {pair.AnswerBytes} bytes ({verdicts.Summary})"));
        await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
            $"per level: {options.Warmup.TotalSeconds:0.##} s warm-up, then hook {options.Duration.TotalSeconds / 2:0.##} s, floor {options.Duration.TotalSeconds:0.##} s, hook {options.Duration.TotalSeconds / 2:0.##} s; every hook answer must carry real verdicts"));
        await output.WriteLineAsync();
        await output.WriteLineAsync("| connections | hook req/s | hook p50 ms | hook p99 ms | floor req/s | floor p50 ms | floor p99 ms | p99 ratio | throughput ratio | errors | service working set MB |");
        await output.WriteLineAsync("|------------:|-----------:|------------:|------------:|------------:|-------------:|-------------:|----------:|-----------------:|-------:|-----------------------:|");
        var levels = new List<LevelResult>();
        var warmups = new List<RunResult>();
        foreach (var connections in options.Connections)
        {
            warmups.AddRange(await WarmAsync(client, pair, connections, options.Warmup, cancellationToken));
            var level = await MeasureAsync(client, pair, connections, options.Duration, options.Pid, cancellationToken);
            levels.Add(level);
            await output.WriteLineAsync(Row(level));
        }

        var peak = ServiceMemory.Read(options.Pid)?.PeakWorkingSetBytes;
        var failures = Failures("hook", levels.Select(l => l.Hook))
            .Concat(Failures("floor", levels.Select(l => l.Floor)))
            .Concat(Failures("warm-up", warmups))
            .ToList();

        await output.WriteLineAsync();
        await output.WriteLineAsync($"service peak working set: {ServiceMemory.Mb(peak)} MB{(options.Pid is null ? " (no --pid)" : "")}");
        foreach (var line in Targets(levels, peak))
        {
            await output.WriteLineAsync(line);
        }

        await output.WriteLineAsync(failures.Count == 0 ? "PASS: zero errors" : "FAIL: " + string.Join("; ", failures));
        return new ComparisonReport(pair.AnswerBytes, levels, peak, failures.Count == 0 ? 0 : 1, failures);
    }

    /// <summary>Unmeasured closed-loop load on both endpoints, half the time each; returned for their errors only.</summary>
    private static async Task<RunResult[]> WarmAsync(HttpClient client, EndpointPair pair, int connections, TimeSpan warmup, CancellationToken cancellationToken) =>
    [
        await ClosedLoopRunner.RunAsync(client, pair.Hook, pair.Body, connections, warmup / 2, AnswerChecks.RealVerdicts, cancellationToken),
        await ClosedLoopRunner.RunAsync(client, pair.Floor, pair.Body, connections, warmup / 2, AnswerChecks.Size(pair.AnswerBytes), cancellationToken),
    ];

    private static async Task<LevelResult> MeasureAsync(HttpClient client, EndpointPair pair, int connections, TimeSpan duration, int? pid, CancellationToken cancellationToken)
    {
        var hookBefore = await ClosedLoopRunner.RunAsync(client, pair.Hook, pair.Body, connections, duration / 2, AnswerChecks.RealVerdicts, cancellationToken);
        var floor = await ClosedLoopRunner.RunAsync(client, pair.Floor, pair.Body, connections, duration, AnswerChecks.Size(pair.AnswerBytes), cancellationToken);
        var hookAfter = await ClosedLoopRunner.RunAsync(client, pair.Hook, pair.Body, connections, duration / 2, AnswerChecks.RealVerdicts, cancellationToken);
        return new LevelResult(connections, RunResult.Merge([hookBefore, hookAfter]), floor, ServiceMemory.Read(pid));
    }

    /// <summary>E.g. <c>hook: 37 x 200 without real verdicts (1 card(s); verdicts: error x4)</c>, one per reason.</summary>
    private static IEnumerable<string> Failures(string what, IEnumerable<RunResult> runs) =>
        RunResult.Merge([.. runs]).ErrorReasons!.OrderByDescending(e => e.Value).Select(e => $"{what}: {e.Value} x {e.Key}");

    private static IEnumerable<string> Targets(IReadOnlyList<LevelResult> levels, long? peak)
    {
        var atTarget = levels.FirstOrDefault(l => l.Connections == FloorComparisonOptions.TargetConnections);
        yield return atTarget is null
            ? $"target hook p99 <= {FloorComparisonOptions.TargetP99Ratio:0.#}x floor p99 at {FloorComparisonOptions.TargetConnections} connections: not measured (no level of {FloorComparisonOptions.TargetConnections})"
            : string.Create(CultureInfo.InvariantCulture,
                $"target hook p99 <= {FloorComparisonOptions.TargetP99Ratio:0.#}x floor p99 at {FloorComparisonOptions.TargetConnections} connections: {Met(atTarget.P99Ratio <= FloorComparisonOptions.TargetP99Ratio)} (ratio {atTarget.P99Ratio:0.00})");
        yield return peak is long bytes
            ? $"target peak working set < {ServiceMemory.Mb(FloorComparisonOptions.TargetPeakWorkingSetBytes)} MB: {Met(bytes < FloorComparisonOptions.TargetPeakWorkingSetBytes)} ({ServiceMemory.Mb(bytes)} MB)"
            : $"target peak working set < {ServiceMemory.Mb(FloorComparisonOptions.TargetPeakWorkingSetBytes)} MB: not measured (no --pid)";
    }

    private static string Met(bool met) => met ? "met" : "NOT met";

    private static async Task<ComparisonReport> FailAsync(TextWriter output, int answerBytes, string failure)
    {
        await output.WriteLineAsync("FAIL: " + failure);
        return new ComparisonReport(answerBytes, [], null, 1, [failure]);
    }

    private static string Row(LevelResult l) => string.Create(CultureInfo.InvariantCulture,
        $"| {l.Connections} | {l.Hook.Throughput:0.0} | {l.Hook.P50:0.00} | {l.Hook.P99:0.00} | {l.Floor.Throughput:0.0} | {l.Floor.P50:0.00} | {l.Floor.P99:0.00} | {l.P99Ratio:0.00} | {l.ThroughputRatio:0.00} | {l.Errors} | {ServiceMemory.Mb(l.Memory?.WorkingSetBytes)} |");

    /// <summary>The two endpoints compared, the request both get, and the size of the hook's (and so the floor's) answer.</summary>
    private sealed record EndpointPair(Uri Hook, Uri Floor, byte[] Body, int AnswerBytes);
}
