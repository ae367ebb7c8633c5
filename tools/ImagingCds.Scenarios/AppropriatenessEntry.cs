using System.Text.Json.Nodes;

namespace ImagingCds.Scenarios;

/// <summary>
/// One entry of a card's <c>extension.appropriateness</c> list (DESIGN.md, "Verdicts, machine-readable"): the verdict
/// for one (order, policy).
/// </summary>
/// <param name="Order">The order's reference as sent, e.g. <c>ServiceRequest/mri-1</c>.</param>
/// <param name="Criteria">The decisive criteria, each starting with its guideline section.</param>
/// <param name="Missing">What to document (for <c>needs-documentation</c>).</param>
public sealed record AppropriatenessEntry(string Order, string Policy, string? Verdict, IReadOnlyList<string> Criteria, IReadOnlyList<string> Missing)
{
    /// <summary>
    /// The entries of every card of a hook response, in card order. A reader collects them across cards: it does not
    /// matter whether the service shows one card per order or one per policy.
    /// </summary>
    public static IReadOnlyList<AppropriatenessEntry> FromResponse(JsonNode? response) =>
        (response?["cards"] as JsonArray ?? [])
            .SelectMany(card => card?["extension"]?["appropriateness"] as JsonArray ?? [])
            .OfType<JsonObject>()
            .Select(e => new AppropriatenessEntry(
                Text(e["order"]) ?? "",
                Text(e["policy"]) ?? "",
                Text(e["verdict"]),
                Texts(e["criteria"]),
                Texts(e["missing"])))
            .ToArray();

    private static string? Text(JsonNode? node) =>
        node is JsonValue value && value.TryGetValue<string>(out var text) ? text : null;

    private static string[] Texts(JsonNode? node) =>
        (node as JsonArray ?? []).Select(Text).OfType<string>().ToArray();
}
