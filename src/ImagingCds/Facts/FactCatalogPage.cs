using System.Text;

namespace ImagingCds.Facts;

/// <summary>Renders the fact catalog as the Markdown reference page <c>docs/fact-catalog.md</c> (kept current by a test).</summary>
public static class FactCatalogPage
{
    public static string Render(FactCatalog catalog)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        var text = new StringBuilder();
        text.Append("# Fact catalog\n\n")
            .Append("Generated from `guidelines/facts/*.yaml` and `guidelines/terminology/*.yaml` by ")
            .Append("`UPDATE_DOCS=1 dotnet test --filter FactCatalogPageTests`; do not edit by hand.\n\n")
            .Append("Every fact is three-valued: documented true, documented false, or not documented (absence is never false). ")
            .Append("Time windows and thresholds are applied by the policy that uses a fact (`within`, `older_than`, `weeks_at_least`, `ge`…; ")
            .Append("see `docs/policy-format.md`). A fact with no derivation can only be answered by a clinician (a documentation prompt).\n\n")
            .Append($"{catalog.Facts.Count} facts, {catalog.Facts.Values.Count(f => f.Derive.AskedOnly)} of them asked only; ")
            .Append($"{catalog.Terminology.ValueSets.Count} value sets.\n");

        foreach (var group in catalog.Facts.Values.GroupBy(f => f.Group).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            text.Append("\n## ").Append(group.Key).Append("\n\n| id | question | type | derived from |\n|---|---|---|---|\n");
            foreach (var fact in group.OrderBy(f => f.Id, StringComparer.Ordinal))
            {
                text.Append("| `").Append(fact.Id).Append("` | ").Append(Cell(fact.Question)).Append(" | ")
                    .Append(fact.Type.ToString().ToLowerInvariant()).Append(" | ").Append(Cell(Derivation(fact))).Append(" |\n");
            }
        }

        text.Append("\n## Value sets\n\n| id | title | codes | source |\n|---|---|---|---|\n");
        foreach (var set in catalog.Terminology.ValueSets.Values.OrderBy(v => v.Id, StringComparer.Ordinal))
        {
            var codes = set.Codes.Select(c => $"{CodeSystems.ShortName(c.Key) ?? c.Key}: {c.Value.Count}")
                .Concat(set.Prefixes.Select(p => $"{CodeSystems.ShortName(p.Key) ?? p.Key} prefixes: {string.Join(", ", p.Value)}"));
            text.Append("| `").Append(set.Id).Append("` | ").Append(Cell(set.Title)).Append(" | ").Append(Cell(string.Join("; ", codes.Distinct())))
                .Append(" | ").Append(Cell(set.Source)).Append(" |\n");
        }

        return text.ToString();
    }

    private static string Derivation(FactDefinition fact)
    {
        var d = fact.Derive;
        var parts = new List<string>();
        if (d.Builtin is { } builtin)
        {
            parts.Add($"patient/order ({builtin})");
        }

        void Add(string what, IReadOnlyList<ValueSet> sets)
        {
            if (sets.Count > 0)
            {
                parts.Add($"{what} in {string.Join(", ", sets.Select(s => $"`{s.Id}`"))}");
            }
        }

        if (d.Conditions.Count > 0)
        {
            Add($"Condition ({d.Status.ToString().ToLowerInvariant()}, {d.Verification.ToString().ToLowerInvariant()}), exam finding or order reason", d.Conditions);
        }

        Add("Observation finding", d.Findings);
        if (d.Measurement is { } m)
        {
            var rule = m.Above is { } above ? $"> {above}" : m.AtLeast is { } least ? $"≥ {least}" : "flagged abnormal";
            Add($"Observation value {rule}", m.Codes);
        }

        Add("Procedure or completed order", d.Procedures);
        Add("planned order or procedure", d.Planned);
        Add("medication course", d.Medications);
        Add("order signed in the same call", d.ConcurrentOrders);
        Add("the signed order's reason", d.OrderReasons);
        if (d.EncounterClasses.Count > 0)
        {
            parts.Add($"Encounter class {string.Join(", ", d.EncounterClasses)}");
        }

        if (d.Union.Count > 0)
        {
            parts.Add($"any of {string.Join(", ", d.Union.Select(u => $"`{u}`"))}");
        }

        var derived = parts.Count == 0 ? "asked (documentation prompt)" : string.Join("; ", parts);
        var windows = fact.Windows is null ? string.Empty : $" — dates: {fact.Windows}";
        var note = fact.Note is null ? string.Empty : $" — {fact.Note}";
        return derived + windows + note;
    }

    private static string Cell(string text) => text.Replace("|", "\\|", StringComparison.Ordinal).Replace("\n", " ", StringComparison.Ordinal).Trim();
}
