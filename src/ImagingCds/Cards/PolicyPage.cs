using System.Globalization;
using System.Net;
using System.Text;
using ImagingCds.Facts;
using ImagingCds.Guidelines;

namespace ImagingCds.Cards;

/// <summary>
/// A policy as a readable HTML page (<c>/policies/{id}</c>): one anchor per rule, its section, our reading note,
/// and its logic in plain language, so every citation on a card is one click away. Pure.
/// </summary>
public static class PolicyPage
{
    public static string Render(Policy policy, FactCatalog catalog)
    {
        ArgumentNullException.ThrowIfNull(policy);
        ArgumentNullException.ThrowIfNull(catalog);
        var html = new StringBuilder();
        html.Append("<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width\">")
            .Append("<title>").Append(E(policy.Payer)).Append(" — ").Append(E(policy.Title)).Append("</title>")
            .Append("<style>body{font:15px/1.5 system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#1b1b1b}")
            .Append("section{border-top:1px solid #ccc;padding:.5rem 0}section:target{background:#fff8d6}")
            .Append(".kind{font-size:.8rem;text-transform:uppercase;color:#555}ul{margin:.2rem 0 .2rem 1.2rem;padding:0}code{font-size:.85rem}</style>")
            .Append("</head><body><main>")
            .Append("<h1>").Append(E(policy.Payer)).Append(": ").Append(E(policy.Title)).Append("</h1>")
            .Append("<p>Version ").Append(E(policy.Version)).Append(", effective ").Append(E(policy.Effective))
            .Append(". Source document: <code>").Append(E(policy.Source)).Append("</code>. Governs CPT ")
            .Append(E(string.Join(", ", policy.Cpt.Order(StringComparer.Ordinal)))).Append(".</p>")
            .Append("<p>Indications make the study appropriate when the record documents them; an exclusion makes it not appropriate ")
            .Append("when its trigger is documented and none of its exceptions is. Undocumented facts are never read as “no”.</p>");

        if (policy.Definitions.Count > 0)
        {
            html.Append("<h2>Definitions</h2>");
            foreach (var definition in policy.Definitions.Values)
            {
                html.Append("<section id=\"def-").Append(E(definition.Id)).Append("\"><h3>").Append(E(definition.Title))
                    .Append(" <small>(").Append(E(definition.Section)).Append(")</small></h3>")
                    .Append(Logic(definition.When, catalog)).Append(Note(definition.Note)).Append("</section>");
            }
        }

        foreach (var (kind, heading) in new[] { (RuleKind.Indication, "Indications"), (RuleKind.Exclusion, "Exclusions and limitations") })
        {
            html.Append("<h2>").Append(heading).Append("</h2>");
            foreach (var rule in policy.Rules.Where(r => r.Kind == kind))
            {
                html.Append("<section id=\"").Append(E(rule.Id)).Append("\"><div class=\"kind\">").Append(E(rule.Section));
                if (rule.Regions.Count > 0)
                {
                    html.Append(" · ").Append(E(string.Join(", ", rule.Regions)));
                }

                html.Append("</div><h3>").Append(E(rule.Title)).Append("</h3>");
                if (rule.DefersTo is { } other)
                {
                    html.Append("<p>Decided by <strong>").Append(E(other)).Append("</strong>, which this service does not encode: ")
                        .Append("when the following holds, the clinician is asked to document that guideline's criteria.</p>");
                }

                html.Append(Logic(rule.When, catalog));
                if (rule.Unless.Count > 0)
                {
                    html.Append("<p>Unless any of these is documented:</p><ul>");
                    foreach (var exception in rule.Unless)
                    {
                        html.Append("<li>").Append(Logic(exception, catalog)).Append("</li>");
                    }

                    html.Append("</ul>");
                }

                html.Append(Note(rule.Note)).Append("</section>");
            }
        }

        return html.Append("</main></body></html>").ToString();
    }

    private static string Note(string? note) => note is null ? string.Empty : $"<p><em>Reading note:</em> {E(note)}</p>";

    /// <summary>The condition tree in plain words: each fact test as its question with its window or threshold.</summary>
    private static string Logic(Predicate predicate, FactCatalog catalog) => predicate switch
    {
        AllOf all => List("All of:", all.Items, catalog),
        AnyOf any => List("Any of:", any.Items, catalog),
        AtLeastOf atLeast => List($"At least {atLeast.Count} of:", atLeast.Items, catalog),
        NotOf not => $"Not: {Logic(not.Item, catalog)}",
        DefinitionRef reference => $"<a href=\"#def-{E(reference.Name)}\">{E(reference.Name.Replace('_', ' '))}</a> (see definition)",
        FactTest test => Test(test, catalog),
        _ => E(predicate.ToString() ?? string.Empty),
    };

    private static string List(string heading, IReadOnlyList<Predicate> items, FactCatalog catalog) =>
        $"{E(heading)}<ul>{string.Concat(items.Select(i => $"<li>{Logic(i, catalog)}</li>"))}</ul>";

    private static string Test(FactTest test, FactCatalog catalog)
    {
        var id = test.Fact.Replace("{region}", "lumbar", StringComparison.Ordinal);
        var question = catalog.Facts.TryGetValue(id, out var fact) ? fact.Question : test.Fact;
        if (test.Fact.Contains("{region}", StringComparison.Ordinal))
        {
            question += " (in the region ordered)";
        }

        var qualifiers = FactTestWording.Qualifiers(test, other => catalog.Facts.GetValueOrDefault(other.Replace("{region}", "lumbar", StringComparison.Ordinal))?.Question.TrimEnd('?') ?? other)
            .Select(E).ToArray();
        return $"{E(question)}{(qualifiers.Length > 0 ? " — " + string.Join("; ", qualifiers) : string.Empty)} <code>{E(test.Fact)}</code>";
    }

    private static string E(string text) => WebUtility.HtmlEncode(text);
}
