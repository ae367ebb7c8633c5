using System.ComponentModel.DataAnnotations;

namespace ImagingCds.Record;

/// <summary>How the record is read from the EHR's FHIR server (section <c>Fhir</c> of configuration).</summary>
public sealed class FhirOptions
{
    public const string Section = "Fhir";

    /// <summary>
    /// Time allowed for the whole record, all queries and pages together. Default 400 ms, well under the
    /// ~500 ms the CDS Hooks specification suggests for a whole hook call; what has not arrived by then is a gap.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "00:01:00")]
    public TimeSpan RecordBudget { get; set; } = TimeSpan.FromMilliseconds(400);

    /// <summary>Time allowed for one HTTP attempt (headers and body). Default 250 ms.</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "00:01:00")]
    public TimeSpan AttemptTimeout { get; set; } = TimeSpan.FromMilliseconds(250);

    /// <summary>Retries of one GET after 429, 5xx, a network error or an attempt timeout. Default 2.</summary>
    [Range(0, 5)]
    public int MaxRetries { get; set; } = 2;

    /// <summary>First retry delay before exponential growth and jitter. Default 20 ms.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:00:10")]
    public TimeSpan RetryBaseDelay { get; set; } = TimeSpan.FromMilliseconds(20);

    /// <summary>Search page size asked for with <c>_count</c>. Default 100.</summary>
    [Range(1, 1000)]
    public int PageSize { get; set; } = 100;

    /// <summary>Most pages followed for one resource type. Default 20.</summary>
    [Range(1, 1000)]
    public int MaxPages { get; set; } = 20;

    /// <summary>
    /// Resources of one type after which no further page is read, and the part is Truncated. The page that
    /// reaches it is kept whole, so a part may hold up to one page more. Default 2,000.
    /// </summary>
    [Range(1, 100_000)]
    public int MaxResourcesPerType { get; set; } = 2000;

    /// <summary>Largest response body read from the FHIR server, in bytes. Default 8 MiB.</summary>
    [Range(1024, 512 * 1024 * 1024)]
    public int MaxResponseBytes { get; set; } = 8 * 1024 * 1024;

    /// <summary>Failure ratio over <see cref="BreakerSamplingDuration"/> that opens a server's circuit. Default 0.5.</summary>
    [Range(0.01, 1.0)]
    public double BreakerFailureRatio { get; set; } = 0.5;

    /// <summary>Calls needed in the sampling window before the circuit may open. Default 20.</summary>
    [Range(2, 10_000)]
    public int BreakerMinimumThroughput { get; set; } = 20;

    /// <summary>Window over which failures are counted. Default 30 s.</summary>
    [Range(typeof(TimeSpan), "00:00:00.500", "00:10:00")]
    public TimeSpan BreakerSamplingDuration { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How long an open circuit stays open before one trial call. Default 15 s.</summary>
    [Range(typeof(TimeSpan), "00:00:00.500", "00:10:00")]
    public TimeSpan BreakDuration { get; set; } = TimeSpan.FromSeconds(15);
}
