namespace ImagingCds.Replay;

/// <summary>Entry point: <c>dotnet run --project tools/Replay -- &lt;fixtures-dir&gt; [--service &lt;url&gt;] [--junit &lt;file&gt;]</c>.</summary>
/// <remarks>Not top-level statements: their <c>Program</c> would clash with the service's, which hosting needs by that name.</remarks>
public static class ReplayProgram
{
    /// <summary>
    /// Where WebApplicationFactory takes the hosted service's content root from. Without it, it looks for its manifest in
    /// the current directory (the caller's, under <c>dotnet run</c>) and then for a solution file; the service's
    /// settings, discovery document and guidelines are all copied beside this tool.
    /// </summary>
    private const string ContentRootVariable = "ASPNETCORE_TEST_CONTENTROOT_IMAGINGCDS";

    public static async Task<int> Main(string[] args)
    {
        if (Environment.GetEnvironmentVariable(ContentRootVariable) is null)
        {
            Environment.SetEnvironmentVariable(ContentRootVariable, AppContext.BaseDirectory);
        }

        using var cancel = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) =>
        {
            e.Cancel = true;
            cancel.Cancel();
        };
        return await ReplayCommand.RunAsync(args, Console.Out, Console.Error, cancel.Token);
    }
}
