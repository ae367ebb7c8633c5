using System.Diagnostics;
using System.Globalization;
using System.Text.Json;

namespace ImagingCds.LoadTest;

/// <summary>The slowest query chain, fetched by the tool itself: its type, pages, resources and the time for all pages in sequence.</summary>
public sealed record ChainTiming(string Type, int Pages, int Resources, double Milliseconds);

/// <summary>FHIR mode's numbers: one round trip, the slowest chain, the hook's latencies, and why it failed if it did.</summary>
/// <param name="FhirRequestsPerCall">GETs the FHIR server received per measured hook call (every search and page).</param>
public sealed record FhirModeReport(
    double RoundTripMs, ChainTiming SlowestChain, RunResult Hook, HookVerdicts LastVerdicts, double FhirRequestsPerCall, int ExitCode, IReadOnlyList<string> Failures)
{
    public double P50ChainRatio => Hook.P50 / SlowestChain.Milliseconds;

    public double P99ChainRatio => Hook.P99 / SlowestChain.Milliseconds;
}

/// <summary>
/// <c>--fhir-mode</c>: hosts <see cref="TypicalFhirServer"/> with the typical record, measures one FHIR round trip and the
/// slowest query chain (the type with the most pages, fetched page after page), then makes sequential hook calls with no
/// prefetch and <c>fhirServer</c> pointing at it, and prints one Markdown table row. Fails (exit code 1) when a hook call
/// is not a 200 with cards and real verdicts (an <c>error</c> verdict means the record budget ran out) whose findings equal
/// those of the same record sent in prefetch (so the whole record was read), or when the chain did not read the record.
/// The targets (issue #8) are reported, not enforced.
/// </summary>
public static class FhirModeTool
{
    public static async Task<FhirModeReport> RunAsync(FhirModeOptions options, TextWriter output, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(output);
        await using var fhir = await TypicalFhirServer.StartAsync(TypicalRecord.PatientId(), TypicalRecord.ResourcesByType(), options.PageSize, options.FhirDelay, cancellationToken);
        using var fhirClient = new HttpClient(new SocketsHttpHandler { PooledConnectionLifetime = Timeout.InfiniteTimeSpan }) { Timeout = TimeSpan.FromSeconds(30) };
        using var hookClient = new HttpClient(new SocketsHttpHandler { PooledConnectionLifetime = Timeout.InfiniteTimeSpan }) { Timeout = TimeSpan.FromSeconds(30) };
        var failures = new List<string>();

        // Warm: the connection is open and the server's code JIT-compiled before anything is timed.
        await GetAsync(fhirClient, fhir.PatientUrl, cancellationToken);
        var roundTrip = Median(await RepeatAsync(options.Samples, async () => (await GetAsync(fhirClient, fhir.PatientUrl, cancellationToken)).Milliseconds));
        var chain = await SlowestChainAsync(fhirClient, fhir, options.Samples, cancellationToken);
        if (chain.Pages != fhir.PagesOf(chain.Type) || chain.Resources != fhir.CountOf(chain.Type))
        {
            failures.Add($"the {chain.Type} chain read {chain.Pages} pages and {chain.Resources} resources, not {fhir.PagesOf(chain.Type)} and {fhir.CountOf(chain.Type)}");
        }

        // The same record in prefetch: what a hook that read the whole record from the FHIR server must find too.
        var reference = await JsonPost.SendAsync(hookClient, options.HookEndpoint, TypicalRecord.WithPrefetch(), cancellationToken);
        if (AnswerChecks.RealVerdicts(reference) is { } notReal)
        {
            failures.Add($"the same record in prefetch: {notReal}; nothing to check the FHIR-mode answers against");
        }

        var series = await HookCallsAsync(hookClient, options, fhir, HookVerdicts.Of(reference.Body), cancellationToken);
        failures.AddRange(series.Failures);
        var report = new FhirModeReport(roundTrip, chain, series.Hook, series.Last, series.FhirRequestsPerCall, failures.Count == 0 ? 0 : 1, failures);
        await PrintAsync(output, options, fhir, report, series.WarmupNotes);
        return report;
    }

    /// <summary>The type with the most pages, fetched <paramref name="samples"/> times page after page; the median time.</summary>
    private static async Task<ChainTiming> SlowestChainAsync(HttpClient client, TypicalFhirServer fhir, int samples, CancellationToken cancellationToken)
    {
        var (type, _) = fhir.SlowestChain;
        var chains = new List<ChainTiming>();
        for (var i = 0; i < samples; i++)
        {
            chains.Add(await FetchChainAsync(client, fhir.SearchUrl(type), type, cancellationToken));
        }

        return chains[0] with { Milliseconds = Median(chains.Select(c => c.Milliseconds).ToArray()) };
    }

    /// <summary>
    /// Warm-up calls, then the measured ones, one at a time. Every measured answer's latency counts (one without real
    /// verdicts still kept the EHR waiting); any measured answer that is not a 200 with the prefetch's findings is a failure.
    /// A warm-up answer may run out of the record budget while the service warms up: that is noted, not failed.
    /// </summary>
    private static async Task<HookCallSeries> HookCallsAsync(HttpClient client, FhirModeOptions options, TypicalFhirServer fhir, HookVerdicts reference, CancellationToken cancellationToken)
    {
        var body = TypicalRecord.WithFhirServer(fhir.BaseUrl);
        var failures = new List<string>();
        var notes = new List<string>();
        var latencies = new List<double>();
        var last = HookVerdicts.None;
        var requestsBefore = 0;
        for (var call = -options.WarmupCalls; call < options.Calls; call++)
        {
            if (call == 0)
            {
                requestsBefore = fhir.Requests; // what the warm-up calls asked for is not counted
            }

            var answer = await JsonPost.SendAsync(client, options.HookEndpoint, body, cancellationToken);
            last = HookVerdicts.Of(answer.Body);
            if (call >= 0 && answer.Status is not null)
            {
                latencies.Add(answer.LatencyMs);
            }

            var problem = AnswerChecks.Status200(answer) is { } status ? status
                : !last.AreReal ? $"200 without real verdicts ({last.Summary})"
                : !last.SameFindingsAs(reference) ? $"200 whose findings differ from the same record in prefetch ({last.Summary}; prefetch: {reference.Summary})"
                : null;
            if (problem is not null)
            {
                (call < 0 && answer.IsOk ? notes : failures).Add($"{(call < 0 ? "warm-up" : "measured")} call: {problem}");
            }
        }

        var measuredFailures = failures.Count(f => f.StartsWith("measured", StringComparison.Ordinal));
        return new HookCallSeries(
            new RunResult(options.Calls, measuredFailures, 0, TimeSpan.FromMilliseconds(latencies.Sum()), latencies.Order().ToArray()),
            last,
            (fhir.Requests - requestsBefore) / (double)options.Calls,
            Grouped(failures),
            Grouped(notes));
    }

    /// <summary>Identical messages once, with their count: <c>3 x measured call: status 500</c>.</summary>
    private static string[] Grouped(IEnumerable<string> messages) =>
        [.. messages.GroupBy(m => m, StringComparer.Ordinal).Select(g => $"{g.Count()} x {g.Key}")];

    /// <summary>All pages of one search, one after the other, following <c>next</c> links.</summary>
    private static async Task<ChainTiming> FetchChainAsync(HttpClient client, Uri first, string type, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        var pages = 0;
        var resources = 0;
        for (Uri? url = first; url is not null; pages++)
        {
            var (_, body) = await GetAsync(client, url, cancellationToken);
            using var bundle = JsonDocument.Parse(body);
            resources += bundle.RootElement.TryGetProperty("entry", out var entries) ? entries.GetArrayLength() : 0;
            url = bundle.RootElement.GetProperty("link").EnumerateArray()
                .Where(l => l.GetProperty("relation").ValueEquals("next"))
                .Select(l => new Uri(l.GetProperty("url").GetString()!))
                .FirstOrDefault();
        }

        return new ChainTiming(type, pages, resources, Stopwatch.GetElapsedTime(started).TotalMilliseconds);
    }

    private static async Task<(double Milliseconds, byte[] Body)> GetAsync(HttpClient client, Uri url, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        using var response = await client.GetAsync(url, cancellationToken);
        response.EnsureSuccessStatusCode();
        var body = await response.Content.ReadAsByteArrayAsync(cancellationToken);
        return (Stopwatch.GetElapsedTime(started).TotalMilliseconds, body);
    }

    private static async Task<double[]> RepeatAsync(int times, Func<Task<double>> measure)
    {
        var values = new double[times];
        for (var i = 0; i < times; i++)
        {
            values[i] = await measure();
        }

        return values;
    }

    private static double Median(IReadOnlyCollection<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2;
    }

    private static async Task PrintAsync(TextWriter output, FhirModeOptions options, TypicalFhirServer fhir, FhirModeReport r, IReadOnlyList<string> warmupNotes)
    {
        var c = r.SlowestChain;
        await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
            $"FHIR server {fhir.BaseUrl}: +{options.FhirDelay.TotalMilliseconds:0.#} ms per request, {options.PageSize} resources per page; " +
            $"{options.Calls} sequential hook calls after {options.WarmupCalls} warm-up, no prefetch; round trip and chain: median of {options.Samples}"));
        await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
            $"last hook answer: {r.LastVerdicts.Summary}; FHIR requests per hook call: {r.FhirRequestsPerCall:0.#}"));
        await output.WriteLineAsync();
        await output.WriteLineAsync("| FHIR round trip ms | slowest chain | pages | pages x round trip ms | slowest chain ms | hook p50 ms | hook p99 ms | hook p50 / chain | hook p99 / chain | failed calls |");
        await output.WriteLineAsync("|-------------------:|:--------------|------:|----------------------:|-----------------:|------------:|------------:|-----------------:|-----------------:|-------------:|");
        await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
            $"| {r.RoundTripMs:0.0} | {c.Type} ({c.Resources} resources) | {c.Pages} | {c.Pages * r.RoundTripMs:0.0} | {c.Milliseconds:0.0} | {r.Hook.P50:0.0} | {r.Hook.P99:0.0} | {r.P50ChainRatio:0.00} | {r.P99ChainRatio:0.00} | {r.Hook.Errors} |"));
        await output.WriteLineAsync();
        // A fast answer without real verdicts (the budget ran out) meets no target.
        var real = r.Hook.Errors == 0;
        var unreal = string.Create(CultureInfo.InvariantCulture, $", but {r.Hook.Errors} measured call(s) had no real verdicts");
        await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
            $"target hook p50 <= {FhirModeOptions.TargetChainRatio:0.0}x slowest chain: {Met(real && r.P50ChainRatio <= FhirModeOptions.TargetChainRatio)} ({r.P50ChainRatio:0.00}{(real ? string.Empty : unreal)}); p99: {r.P99ChainRatio:0.00}"));
        await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
            $"target hook p99 < {FhirModeOptions.TargetHookLatency.TotalMilliseconds:0} ms: {Met(real && r.Hook.P99 < FhirModeOptions.TargetHookLatency.TotalMilliseconds)} ({r.Hook.P99:0.0} ms{(real ? string.Empty : unreal)})"));
        foreach (var note in warmupNotes)
        {
            await output.WriteLineAsync($"note (not counted): {note}");
        }

        await output.WriteLineAsync(r.Failures.Count == 0 ? "PASS: every hook call answered 200 with real verdicts" : "FAIL: " + string.Join("; ", r.Failures));
    }

    private static string Met(bool met) => met ? "met" : "NOT met";

    /// <summary>The hook calls of one run: the measured latencies and failures, and what the warm-up calls showed.</summary>
    private sealed record HookCallSeries(RunResult Hook, HookVerdicts Last, double FhirRequestsPerCall, IReadOnlyList<string> Failures, IReadOnlyList<string> WarmupNotes);
}
