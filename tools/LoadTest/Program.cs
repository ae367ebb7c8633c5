namespace ImagingCds.LoadTest;

/// <summary>
/// The entry point. A class of its own rather than top-level statements: with the ASP.NET Core framework referenced, a
/// top-level program is generated as a public <c>Program</c>, which would clash with the service's in the test project.
/// </summary>
internal static class LoadTestProgram
{
    private const string Usage = """
        usage: --url http://127.0.0.1:PORT [--rate 50] [--duration 60s] [--concurrency 64] [--body FILE] [--runs 3] [--pid PID]
           or: --compare-floor --url http://127.0.0.1:PORT [--connections 1,16,64] [--seconds 10] [--warmup-seconds 2] [--body FILE] [--pid PID]
           or: --fhir-mode --url http://127.0.0.1:PORT [--fhir-delay 50ms] [--page-size 50] [--calls 30] [--warmup-calls 5] [--samples 5]
        """;

    public static async Task<int> Main(string[] args)
    {
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
    }

    /// <summary>The run the command line asks for. The mode is a flag anywhere on the line; every other option takes a value.</summary>
    private static Func<Task<int>> Parse(string[] args)
    {
        var compare = args.Contains(FloorComparisonOptions.Flag);
        var fhirMode = args.Contains(FhirModeOptions.Flag);
        var rest = args.Where(a => a is not (FloorComparisonOptions.Flag or FhirModeOptions.Flag)).ToArray();
        if (compare && fhirMode)
        {
            throw new ArgumentException($"{FloorComparisonOptions.Flag} and {FhirModeOptions.Flag} are separate runs: give one");
        }

        if (compare)
        {
            var options = FloorComparisonOptions.Parse(rest);
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
}
