namespace ImagingCds.Replay;

/// <summary>The replay command's arguments: <c>&lt;fixtures-dir&gt; [--service &lt;url&gt;] [--junit &lt;file&gt;]</c>.</summary>
/// <param name="Fixtures">The folder whose scenarios are replayed (searched recursively).</param>
/// <param name="Service">The base URL of a running service; null: host the service in process.</param>
/// <param name="JUnit">Where to write JUnit XML; null: none.</param>
public sealed record ReplayArguments(string Fixtures, Uri? Service, string? JUnit)
{
    public const string Usage =
        "usage: dotnet run --project tools/Replay -- <fixtures-dir> [--service <url>] [--junit <file>]\n" +
        "  <fixtures-dir>    compact scenarios (*.yaml) and folders with request.json + expected.json, searched recursively\n" +
        "  --service <url>   replay against a running service at this base URL (it must accept the requests: a\n" +
        "                    Development instance, which needs no CDS client JWT); default: the service in process\n" +
        "  --junit <file>    also write the results as JUnit XML";

    /// <summary>Parses the command line; null with <paramref name="error"/> set when it is not valid.</summary>
    public static ReplayArguments? Parse(IReadOnlyList<string> args, out string? error)
    {
        ArgumentNullException.ThrowIfNull(args);
        string? fixtures = null;
        Uri? service = null;
        string? junit = null;
        error = null;
        for (var i = 0; i < args.Count; i++)
        {
            switch (args[i])
            {
                case "--service" when i + 1 < args.Count:
                    if (!Uri.TryCreate(args[++i], UriKind.Absolute, out service) || (service.Scheme != Uri.UriSchemeHttp && service.Scheme != Uri.UriSchemeHttps))
                    {
                        error = $"--service needs an absolute http(s) URL, not '{args[i]}'";
                        return null;
                    }

                    break;
                case "--junit" when i + 1 < args.Count:
                    junit = args[++i];
                    break;
                case "--service" or "--junit":
                    error = $"{args[i]} needs a value";
                    return null;
                case var option when option.StartsWith("--", StringComparison.Ordinal):
                    error = $"unknown option {option}";
                    return null;
                case var positional when fixtures is null:
                    fixtures = positional;
                    break;
                default:
                    error = $"unexpected argument '{args[i]}' (one fixtures folder only)";
                    return null;
            }
        }

        if (fixtures is null)
        {
            error = "no fixtures folder given";
            return null;
        }

        return new ReplayArguments(fixtures, service, junit);
    }
}
