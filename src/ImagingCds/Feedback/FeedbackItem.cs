using System.Text.Json.Serialization;

namespace ImagingCds.Feedback;

/// <summary>What the user did with a card (CDS Hooks 2.0 <c>outcome</c>).</summary>
public enum FeedbackOutcome { Accepted, Overridden }

/// <summary>The wire spelling of each outcome.</summary>
public static class FeedbackOutcomes
{
    public static string Wire(this FeedbackOutcome outcome) => outcome == FeedbackOutcome.Accepted ? "accepted" : "overridden";
}

/// <summary>An override reason as the EHR coded it (a FHIR Coding); the code is required, system and display are not.</summary>
public sealed record ReasonCoding(string Code, string? System, string? Display);

/// <summary>One validated feedback entry, converted from the wire at the boundary.</summary>
/// <param name="Card">The <c>uuid</c> of the card the user acted on.</param>
/// <param name="OverrideReasons">
/// Every reason given, in order: the CDS Hooks <c>overrideReason.reason</c>, or Epic's <c>overrideReasons</c> list.
/// </param>
/// <param name="UserComment">Free text the user typed: stored, never logged (see <see cref="ToString"/>).</param>
/// <param name="OutcomeTimestamp">When the user acted, as the EHR reported it; null when the EHR sent none.</param>
public sealed record FeedbackItem(
    Guid Card,
    FeedbackOutcome Outcome,
    IReadOnlyList<Guid> AcceptedSuggestions,
    IReadOnlyList<ReasonCoding> OverrideReasons,
    string? UserComment,
    DateTimeOffset? OutcomeTimestamp)
{
    // Keeps the free-text comment out of any accidental ToString() in logs or exception messages.
    public override string ToString() =>
        $"FeedbackItem {{ Card = {Card}, Outcome = {Outcome.Wire()}, AcceptedSuggestions = {AcceptedSuggestions.Count}, OverrideReasons = {OverrideReasons.Count} }}";
}

/// <summary>
/// What an issued card reported for one (order, policy): the order's CPT, the policy, its verdict and the decisive
/// rule ids (the rules behind the verdict, or the most promising unmet indication for <c>needs-documentation</c>).
/// </summary>
/// <remarks>Equality compares <paramref name="Rules"/> item by item.</remarks>
public sealed record CardEntry(string Cpt, string Policy, string Verdict, IReadOnlyList<string> Rules)
{
    public bool Equals(CardEntry? other) =>
        other is not null && Cpt == other.Cpt && Policy == other.Policy && Verdict == other.Verdict && Rules.SequenceEqual(other.Rules, StringComparer.Ordinal);

    public override int GetHashCode() => HashCode.Combine(Cpt, Policy, Verdict, Rules.Count);
}

/// <summary>A card this service issued, with its entries, remembered so later feedback can say what it answers.</summary>
public sealed record IssuedCard(Guid Card, IReadOnlyList<CardEntry> Entries, DateTimeOffset IssuedAt);

/// <summary>A feedback entry as stored: the entry, the issued card's entries (empty when unknown) and when it arrived.</summary>
public sealed record StoredFeedback(FeedbackItem Item, IReadOnlyList<CardEntry> Entries, DateTimeOffset ReceivedAt);

/// <summary>Source-generated JSON for the columns that hold lists.</summary>
[JsonSerializable(typeof(CardEntry[]))]
[JsonSerializable(typeof(ReasonCoding[]))]
[JsonSerializable(typeof(Guid[]))]
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
internal sealed partial class FeedbackJson : JsonSerializerContext;
