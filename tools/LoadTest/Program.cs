using ImagingCds.LoadTest;

LoadOptions options;
try
{
    options = LoadOptions.Parse(args);
}
catch (ArgumentException e)
{
    await Console.Error.WriteLineAsync($"load-test: {e.Message}");
    await Console.Error.WriteLineAsync("usage: --url http://127.0.0.1:PORT [--rate 50] [--duration 60s] [--concurrency 64] [--body FILE] [--runs 3] [--pid PID]");
    return 2;
}

var report = await LoadTool.RunAsync(options, Console.Out);
return report.ExitCode;
