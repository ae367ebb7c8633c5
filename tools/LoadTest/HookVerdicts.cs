using System.Text.Json;

namespace ImagingCds.LoadTest;

/// <summary>
/// What a hook answer decided: its cards and the verdict of every policy finding (<c>cards[].extension.appropriateness[].verdict</c>).
/// An <c>error</c> verdict means the service could not check (for example the record budget ran out), so it is no real answer.
/// </summary>
/// <param name="Findings">Each finding's JSON text (order, policy, verdict, criteria met, documentation missing), in answer order.</param>
public sealed record HookVerdicts(int Cards, IReadOnlyList<string> Verdicts, IReadOnlyList<string> Findings)
{
    public static readonly HookVerdicts None = new(0, [], []);

    public const string Error = "error";

    public int ErrorVerdicts => Verdicts.Count(v => v == Error);

    /// <summary>At least one card with at least one verdict, and no verdict is <c>error</c>.</summary>
    public bool AreReal => Cards > 0 && Verdicts.Count > 0 && ErrorVerdicts == 0;

    /// <summary>E.g. <c>1 card(s); verdicts: appropriate x2, needs-documentation x2</c>.</summary>
    public string Summary => $"{Cards} card(s); verdicts: " +
        (Verdicts.Count == 0 ? "none" : string.Join(", ", Verdicts.GroupBy(v => v).OrderBy(g => g.Key, StringComparer.Ordinal).Select(g => $"{g.Key} x{g.Count()}")));

    /// <summary>
    /// Whether both answers found the same: a record read from a FHIR server that matches the prefetched one
    /// (the findings depend on every criterion the record meets or misses, so a missing page would show).
    /// </summary>
    public bool SameFindingsAs(HookVerdicts other) => other is not null && Findings.SequenceEqual(other.Findings, StringComparer.Ordinal);

    /// <summary>The verdicts in a CDS Hooks response body; none when the body is not such a response.</summary>
    public static HookVerdicts Of(byte[] body)
    {
        try
        {
            using var document = JsonDocument.Parse(body);
            if (document.RootElement.ValueKind != JsonValueKind.Object ||
                !document.RootElement.TryGetProperty("cards", out var cards) || cards.ValueKind != JsonValueKind.Array)
            {
                return None;
            }

            var verdicts = new List<string>();
            var texts = new List<string>();
            foreach (var card in cards.EnumerateArray())
            {
                if (card.TryGetProperty("extension", out var extension) && extension.TryGetProperty("appropriateness", out var findings) &&
                    findings.ValueKind == JsonValueKind.Array)
                {
                    foreach (var finding in findings.EnumerateArray())
                    {
                        verdicts.Add(finding.TryGetProperty("verdict", out var v) && v.ValueKind == JsonValueKind.String ? v.GetString()! : Error);
                        texts.Add(finding.GetRawText());
                    }
                }
            }

            return new HookVerdicts(cards.GetArrayLength(), verdicts, texts);
        }
        catch (JsonException)
        {
            return None;
        }
    }
}
