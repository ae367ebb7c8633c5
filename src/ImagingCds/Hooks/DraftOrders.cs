using System.Text.Json;
using ImagingCds.Fhir;

namespace ImagingCds.Hooks;

/// <summary>A draft spine MRI order this service evaluates.</summary>
/// <param name="Original">The ServiceRequest exactly as it arrived, so a systemAction can echo every element.</param>
/// <param name="Reference">The order's reference, <c>ServiceRequest/&lt;id&gt;</c>.</param>
/// <param name="EvaluationDate">The day time windows are measured from: the order's <c>authoredOn</c>, else today (DESIGN.md).</param>
public sealed record DraftOrder(ServiceRequest Request, JsonElement Original, string Cpt, string Reference, DateOnly EvaluationDate)
{
    /// <summary>The other ServiceRequests signed in the same call (e.g. a CT or a second MRI region), in or out of scope.</summary>
    public IReadOnlyList<ServiceRequest> Siblings { get; init; } = [];
}

/// <summary>Finds the in-scope orders in <c>context.draftOrders</c>.</summary>
public static class DraftOrders
{
    public const string CptSystem = "http://www.ama-assn.org/go/cpt";

    /// <summary>
    /// Returns every ServiceRequest entry with a CPT coding in <paramref name="cptCodes"/>, whatever its status
    /// (a re-signed order may be <c>active</c>); EHR-local codings beside the CPT one are ignored.
    /// </summary>
    public static IReadOnlyList<DraftOrder> InScope(JsonElement draftOrders, IReadOnlySet<string> cptCodes, DateOnly today)
    {
        ArgumentNullException.ThrowIfNull(cptCodes);
        var orders = new List<DraftOrder>();
        if (!draftOrders.TryGetProperty("entry", out var entries) || entries.ValueKind != JsonValueKind.Array)
        {
            return orders;
        }

        var all = new List<ServiceRequest>();

        var index = 0;
        foreach (var entry in entries.EnumerateArray())
        {
            index++;
            if (entry.ValueKind != JsonValueKind.Object || !entry.TryGetProperty("resource", out var json) ||
                FhirJson.ResourceTypeOf(json) != "ServiceRequest" ||
                FhirJson.ReadResource(json, "context.draftOrders", out _) is not ServiceRequest request)
            {
                continue;
            }

            all.Add(request);
            var cpt = request.Code?.Coding?.FirstOrDefault(c => c.System == CptSystem && c.Code is not null && cptCodes.Contains(c.Code))?.Code;
            if (cpt is null)
            {
                continue;
            }

            // An order without an id still gets an entry; its position keeps the reference stable within the call.
            var reference = $"ServiceRequest/{request.Id ?? $"draft-{index}"}";
            var evaluationDate = request.AuthoredOn?.Start ?? today;
            orders.Add(new DraftOrder(request, json.Clone(), cpt, reference, evaluationDate));
        }

        return orders.Select(o => o with { Siblings = all.Where(r => !ReferenceEquals(r, o.Request)).ToArray() }).ToArray();
    }
}
