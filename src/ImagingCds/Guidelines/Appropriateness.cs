using ImagingCds.Facts;
using ImagingCds.Hooks;
using ImagingCds.Record;

namespace ImagingCds.Guidelines;

/// <summary>
/// Evaluates every in-scope order against the policies that apply to the patient, one finding per (order, policy).
/// </summary>
/// <remarks>
/// Pure. A record part that failed to arrive (not merely "not provided") makes every finding <c>error</c>:
/// what is missing could hold an exclusion, so no verdict would be honest. A policy that throws is contained
/// as an <c>error</c> finding; the others still answer.
/// </remarks>
public static class Appropriateness
{
    public static IReadOnlyList<Finding> Evaluate(
        PatientRecord record, IReadOnlyList<DraftOrder> orders, GuidelineLibrary library, IReadOnlyList<PayerRoute> routes)
    {
        ArgumentNullException.ThrowIfNull(record);
        ArgumentNullException.ThrowIfNull(orders);
        ArgumentNullException.ThrowIfNull(library);
        var routed = PayerRouting.PoliciesFor(record, routes);
        var failure = record.Gaps.Where(g => g.IsFailure && g.ResourceType != "Coverage").ToArray();
        var findings = new List<Finding>();
        foreach (var order in orders)
        {
            var policies = library.Policies.Where(p => p.Cpt.Contains(order.Cpt) && (routed is null || routed.Contains(p.Id))).ToArray();
            if (policies.Length == 0)
            {
                continue;
            }

            FactSet? facts = null;
            string? factError = null;
            try
            {
                facts = failure.Length == 0 ? FactDeriver.Derive(record, order, library.Catalog) : null;
            }
#pragma warning disable CA1031 // A derivation bug must become an honest error verdict, never a 500.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                factError = $"the record could not be turned into facts ({ex.GetType().Name})";
            }

            foreach (var policy in policies)
            {
                findings.Add(facts is null
                    ? Evaluator.Failed(policy, order.Reference, order.Cpt, factError ?? Explain(failure))
                    : Contained(policy, facts, library.Catalog, order));
            }
        }

        return findings;
    }

    private static Finding Contained(Policy policy, FactSet facts, FactCatalog catalog, DraftOrder order)
    {
        try
        {
            return Evaluator.Evaluate(policy, facts, catalog, order.Reference, order.Cpt);
        }
#pragma warning disable CA1031 // One failing policy must not take the others down (STYLE habit 9).
        catch (Exception ex)
#pragma warning restore CA1031
        {
            return Evaluator.Failed(policy, order.Reference, order.Cpt, $"the policy could not be evaluated ({ex.GetType().Name})");
        }
    }

    private static string Explain(IReadOnlyList<RecordGap> failures) =>
        "the patient's record could not be read completely: " +
        string.Join("; ", failures.GroupBy(g => g.Detail).Select(g => $"{string.Join(", ", g.Select(x => x.ResourceType))} — {g.Key}"));
}
