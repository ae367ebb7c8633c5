using ImagingCds.LoadTest;

const string Usage = """
    usage: --url http://127.0.0.1:PORT [--rate 50] [--duration 60s] [--concurrency 64] [--body FILE] [--runs 3] [--pid PID]
       or: --compare-floor --url http://127.0.0.1:PORT [--connections 1,16,64] [--seconds 10] [--warmup-seconds 2] [--body FILE] [--pid PID]
       or: --fhir-mode --url http://127.0.0.1:PORT [--fhir-delay 50ms] [--page-size 50] [--calls 30] [--warmup-calls 5] [--samples 5]
    """;

Func<Task<int>> run;
try
{
    run = Parse(args);
}
catch (ArgumentException e)
{
    await Console.Error.WriteLineAsync($"load-test: {e.Message}");
    await Console.Error.WriteLineAsync(Usage);
    return 2;
}

return await run();

// The mode is a flag anywhere on the line; every other option takes a value.
static Func<Task<int>> Parse(string[] args)
{
    var compare = args.Contains(CompareOptions.Flag);
    var fhirMode = args.Contains(FhirModeOptions.Flag);
    var rest = args.Where(a => a is not (CompareOptions.Flag or FhirModeOptions.Flag)).ToArray();
    if (compare && fhirMode)
    {
        throw new ArgumentException($"{CompareOptions.Flag} and {FhirModeOptions.Flag} are separate runs: give one");
    }

    if (compare)
    {
        var options = CompareOptions.Parse(rest);
        return async () => (await FloorComparison.RunAsync(options, Console.Out)).ExitCode;
    }

    if (fhirMode)
    {
        var options = FhirModeOptions.Parse(rest);
        return async () => (await FhirModeTool.RunAsync(options, Console.Out)).ExitCode;
    }

    var load = LoadOptions.Parse(args);
    return async () => (await LoadTool.RunAsync(load, Console.Out)).ExitCode;
}
