using ImagingCds.Scenarios;

namespace ImagingCds.Replay;

/// <summary>The replay command: reads the scenarios, replays them, prints the table, writes JUnit XML, sets the exit code.</summary>
public static class ReplayCommand
{
    /// <summary>Every expectation was met.</summary>
    public const int Success = 0;

    /// <summary>At least one scenario did not get the expected answer, or got none.</summary>
    public const int Mismatch = 1;

    /// <summary>The command line or the fixtures could not be read; nothing was replayed.</summary>
    public const int UsageError = 2;

    /// <summary>Runs the command line: against <c>--service</c> when given, else against the service hosted in process.</summary>
    public static async Task<int> RunAsync(IReadOnlyList<string> args, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(error);
        var arguments = ReplayArguments.Parse(args, out var problem);
        if (arguments is null)
        {
            await error.WriteLineAsync($"{problem}\n{ReplayArguments.Usage}");
            return UsageError;
        }

        if (arguments.Service is { } url)
        {
            // The base URL's path is kept: the hook path is resolved under it.
            using var remote = new HttpClient { BaseAddress = new Uri(url.AbsoluteUri.TrimEnd('/') + "/"), Timeout = TimeSpan.FromSeconds(60) };
            return await RunAsync(arguments, remote, output, error, cancellationToken);
        }

        await using var service = new InProcessService();
        using var client = service.CreateClient();
        return await RunAsync(arguments, client, output, error, cancellationToken);
    }

    /// <summary>The command's core, given a client whose base address is the service's base URL.</summary>
    public static async Task<int> RunAsync(ReplayArguments arguments, HttpClient service, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(arguments);
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(error);
        IReadOnlyList<ReplayCase> cases;
        try
        {
            cases = ReplayCase.Discover(arguments.Fixtures);
        }
        catch (Exception ex) when (ex is IOException or InvalidDataException or UnauthorizedAccessException)
        {
            await error.WriteLineAsync($"cannot read the fixtures: {ex.Message}");
            return UsageError;
        }

        if (cases.Count == 0)
        {
            await error.WriteLineAsync($"no scenarios under {arguments.Fixtures} (*.yaml, or folders with {ReplayCase.RequestFile} and {ReplayCase.ExpectedFile})");
            return UsageError;
        }

        var replay = await ScenarioReplayer.RunAsync(cases, service, TimeProvider.System, cancellationToken);
        await output.WriteAsync(ReplayTable.Render(replay));
        if (arguments.JUnit is { } junit)
        {
            JUnitReport.Write(replay, Path.GetFullPath(arguments.Fixtures), junit);
            await output.WriteLineAsync($"JUnit XML: {junit}");
        }

        return replay.Failed == 0 ? Success : Mismatch;
    }
}
