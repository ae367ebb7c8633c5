using System.ComponentModel.DataAnnotations;

namespace ImagingCds.Feedback;

/// <summary>Where CDS Hooks feedback is stored and how long issued cards are remembered (section <c>Feedback</c>).</summary>
public sealed class FeedbackOptions
{
    public const string Section = "Feedback";

    /// <summary>
    /// The SQLite file holding feedback and issued cards; its folder is created. A relative path is taken under the
    /// content root, or under the temporary folder when the content root is not writable (a read-only container
    /// image). Default <c>data/feedback.db</c>. Production should point it at a mounted volume.
    /// </summary>
    [Required]
    public string DatabasePath { get; set; } = "data/feedback.db";

    /// <summary>Largest feedback body accepted, in bytes; larger bodies get 413. Default 64 KiB.</summary>
    [Range(1024, 16 * 1024 * 1024)]
    public int MaxRequestBytes { get; set; } = 64 * 1024;

    /// <summary>
    /// How long after a hook call its cards are remembered, so feedback on them joins their policies, verdicts and
    /// rules; feedback on an older card is stored without them. Default 24 hours.
    /// </summary>
    [Range(typeof(TimeSpan), "00:01:00", "90.00:00:00")]
    public TimeSpan IssuedCardLifetime { get; set; } = TimeSpan.FromHours(24);

    /// <summary>Most issued cards kept in memory; the oldest go first (they stay in the database). Default 50,000.</summary>
    [Range(100, 1_000_000)]
    public int MaxIssuedCardsInMemory { get; set; } = 50_000;
}
