using System.ComponentModel.DataAnnotations;

namespace ImagingCds.Performance;

/// <summary>Measurement aids, all off by default (section <c>Performance</c> of configuration).</summary>
public sealed class PerformanceOptions
{
    public const string Section = "Performance";

    /// <summary>
    /// Maps the floor endpoint (<see cref="FloorEndpoint"/>) used by <c>scripts/perf-e2e.sh</c> to compare the hook with the
    /// cost of the HTTP stack alone. Default false: the endpoint does not exist and its path answers 404.
    /// </summary>
    public bool FloorEndpoint { get; set; }

    /// <summary>Largest canned body the floor endpoint answers with, in bytes. Default 1 MiB (a hook answer is a few KB).</summary>
    [Range(64, 16 * 1024 * 1024)]
    public int FloorMaxBytes { get; set; } = 1024 * 1024;
}
