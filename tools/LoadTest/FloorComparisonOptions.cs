using System.Globalization;

namespace ImagingCds.LoadTest;

/// <summary>
/// <c>--compare-floor</c>: the hook against the floor endpoint in a closed loop at each concurrency level, loopback only.
/// </summary>
public sealed record FloorComparisonOptions
{
    public const string Flag = "--compare-floor";
    public const string FloorPath = LoadOptions.ServicePath + "/floor";

    /// <summary>Issue #8: hook p99 at most this many times the floor p99 ...</summary>
    public const double TargetP99Ratio = 2.0;

    /// <summary>... at this many connections.</summary>
    public const int TargetConnections = 16;

    /// <summary>Issue #8: the service's peak working set under load stays below this.</summary>
    public const long TargetPeakWorkingSetBytes = 300L * 1024 * 1024;

    public required Uri Url { get; init; }

    /// <summary>The concurrency levels, in the order run.</summary>
    public IReadOnlyList<int> Connections { get; init; } = [1, 16, 64];

    /// <summary>Measured time per endpoint per level.</summary>
    public TimeSpan Duration { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Unmeasured load before each level (half on each endpoint): JIT, new connections, caches.</summary>
    public TimeSpan Warmup { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>The request body; null: the typical record (<see cref="TypicalRecord"/>) in prefetch.</summary>
    public string? BodyPath { get; init; }

    public int? Pid { get; init; }

    public Uri HookEndpoint => new(Authority, LoadOptions.ServicePath);

    /// <summary>The floor endpoint answering exactly <paramref name="bytes"/> bytes.</summary>
    public Uri FloorEndpoint(int bytes) => new(Authority, string.Create(CultureInfo.InvariantCulture, $"{FloorPath}?bytes={bytes}"));

    private Uri Authority => new(Url.GetLeftPart(UriPartial.Authority) + "/");

    /// <summary>Parses the options after <see cref="Flag"/>; throws <see cref="ArgumentException"/> on anything invalid or non-loopback.</summary>
    public static FloorComparisonOptions Parse(IReadOnlyList<string> args)
    {
        Uri? url = null;
        var options = new FloorComparisonOptions { Url = new Uri("http://127.0.0.1/") };
        foreach (var (name, value) in CommandLine.Pairs(args))
        {
            options = name switch
            {
                "--url" => options with { Url = url = LoadOptions.ParseUrl(value) },
                "--connections" => options with { Connections = CommandLine.PositiveList(name, value) },
                "--seconds" => options with { Duration = CommandLine.Seconds(name, value) },
                "--warmup-seconds" => options with { Warmup = CommandLine.Seconds(name, value) },
                "--body" => options with { BodyPath = value },
                "--pid" => options with { Pid = CommandLine.Positive(name, value) },
                _ => throw new ArgumentException($"unknown option {name}"),
            };
        }

        return url is null ? throw new ArgumentException("--url http://127.0.0.1:PORT is required") : options;
    }
}
