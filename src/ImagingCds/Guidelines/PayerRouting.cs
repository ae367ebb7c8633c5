using ImagingCds.Record;

namespace ImagingCds.Guidelines;

/// <summary>Chooses the policies for a patient from the active Coverage's payor (DESIGN.md "Policies").</summary>
public static class PayerRouting
{
    /// <summary>
    /// Policy ids for the patient's active coverages; null means "no Coverage or no mapped payor: every policy in scope".
    /// </summary>
    public static IReadOnlySet<string>? PoliciesFor(PatientRecord record, IReadOnlyList<PayerRoute> routes)
    {
        ArgumentNullException.ThrowIfNull(record);
        ArgumentNullException.ThrowIfNull(routes);
        var chosen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var coverage in record.Coverages.Where(c => c.Status is null or "active"))
        {
            var names = (coverage.Payor ?? [])
                .SelectMany(p => new[] { p.Display, p.Identifier?.Value, p.ReferenceText })
                .Where(n => !string.IsNullOrWhiteSpace(n))
                .ToArray();
            foreach (var route in routes.Where(r => r.Match.Any(m => names.Any(n => ContainsWords(n!, m)))))
            {
                chosen.UnionWith(route.Policies);
            }
        }

        return chosen.Count > 0 ? chosen : null;
    }

    /// <summary>Whole-word, case-insensitive: "NIA" matches "NIA Magellan" but not "California Blue Shield".</summary>
    internal static bool ContainsWords(string name, string term)
    {
        var at = 0;
        while ((at = name.IndexOf(term, at, StringComparison.OrdinalIgnoreCase)) >= 0)
        {
            var end = at + term.Length;
            if ((at == 0 || !char.IsLetterOrDigit(name[at - 1])) && (end == name.Length || !char.IsLetterOrDigit(name[end])))
            {
                return true;
            }

            at = end;
        }

        return false;
    }
}
