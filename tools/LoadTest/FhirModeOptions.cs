namespace ImagingCds.LoadTest;

/// <summary>
/// <c>--fhir-mode</c>: the hook with no prefetch, reading the typical record from a loopback FHIR server the tool hosts.
/// </summary>
public sealed record FhirModeOptions
{
    public const string Flag = "--fhir-mode";

    /// <summary>Issue #8: the hook takes at most this many times the slowest query chain ...</summary>
    public const double TargetChainRatio = 1.5;

    /// <summary>... and less than this.</summary>
    public static readonly TimeSpan TargetHookLatency = TimeSpan.FromMilliseconds(500);

    public required Uri Url { get; init; }

    /// <summary>Added by the FHIR server to every request before it answers.</summary>
    public TimeSpan FhirDelay { get; init; } = TimeSpan.FromMilliseconds(50);

    /// <summary>Resources per searchset page, whatever <c>_count</c> asks.</summary>
    public int PageSize { get; init; } = 50;

    /// <summary>Measured sequential hook calls.</summary>
    public int Calls { get; init; } = 30;

    /// <summary>Unmeasured hook calls first (JIT, connections to both servers).</summary>
    public int WarmupCalls { get; init; } = 5;

    /// <summary>How many times the round trip and the slowest chain are each measured (their median is reported).</summary>
    public int Samples { get; init; } = 5;

    public Uri HookEndpoint => new(new Uri(Url.GetLeftPart(UriPartial.Authority) + "/"), LoadOptions.ServicePath);

    /// <summary>Parses the options after <see cref="Flag"/>; throws <see cref="ArgumentException"/> on anything invalid or non-loopback.</summary>
    public static FhirModeOptions Parse(IReadOnlyList<string> args)
    {
        Uri? url = null;
        var options = new FhirModeOptions { Url = new Uri("http://127.0.0.1/") };
        foreach (var (name, value) in CommandLine.Pairs(args))
        {
            options = name switch
            {
                "--url" => options with { Url = url = LoadOptions.ParseUrl(value) },
                "--fhir-delay" => options with { FhirDelay = CommandLine.Milliseconds(name, value) },
                "--page-size" => options with { PageSize = CommandLine.Positive(name, value) },
                "--calls" => options with { Calls = CommandLine.Positive(name, value) },
                "--warmup-calls" => options with { WarmupCalls = CommandLine.Positive(name, value) },
                "--samples" => options with { Samples = CommandLine.Positive(name, value) },
                _ => throw new ArgumentException($"unknown option {name}"),
            };
        }

        return url is null ? throw new ArgumentException("--url http://127.0.0.1:PORT is required") : options;
    }
}
