using System.Text.Json;
using ImagingCds.Fhir;

namespace ImagingCds.Record;

/// <summary>Reads the record parts the EHR sent as prefetch.</summary>
/// <remarks>
/// A key may be absent (not provided), JSON null (the EHR has no data: the part is covered and empty),
/// a resource, a Bundle (possibly holding OperationOutcome entries) or anything else (reported, not used).
/// Keys the discovery document does not name still count: their resources are classified by type, and a
/// search Bundle's <c>self</c> link names the type it covers, so sites with their own key names work too.
/// </remarks>
public sealed class PrefetchSource(IReadOnlyDictionary<string, string> templates) : IPatientDataSource
{
    public ValueTask<RecordBuilder> ReadAsync(RecordQuery query, IReadOnlySet<string> wanted, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        var builder = new RecordBuilder(query.PatientId);
        foreach (var (key, value) in query.Prefetch)
        {
            var location = $"prefetch.{key}";
            var declared = templates.TryGetValue(key, out var template) ? RecordParts.ResourceTypeOfQuery(template) : null;
            switch (value.ValueKind)
            {
                case JsonValueKind.Null:
                    if (declared is not null)
                    {
                        builder.Covered.Add(declared);
                    }

                    break;
                case JsonValueKind.Object when FhirJson.ResourceTypeOf(value) is { } type:
                    // Each key reads into its own slice: a failed search covers nothing, not even the types of the
                    // partial results it holds, so the FHIR server is still asked for them.
                    var slice = new RecordBuilder(query.PatientId);
                    slice.AddJson(value, location);
                    if (HoldsFailure(value))
                    {
                        builder.AddIssue(new FhirIssue("prefetch-failed", location, "the EHR reported an error for this prefetch"));
                        slice.Covered.Clear();
                    }
                    else if ((declared ?? (type == "Bundle" ? SelfLinkType(value) : null)) is { } covers)
                    {
                        slice.Covered.Add(covers);
                    }

                    builder.Merge(slice);
                    break;
                default:
                    builder.AddIssue(new FhirIssue("prefetch-not-fhir", location, "prefetch value is not a FHIR resource, Bundle or null"));
                    break;
            }
        }

        return ValueTask.FromResult(builder);
    }

    /// <summary>An OperationOutcome of severity error or fatal means the EHR could not run the search.</summary>
    private static bool HoldsFailure(JsonElement value)
    {
        IEnumerable<JsonElement> resources = FhirJson.ResourceTypeOf(value) == "Bundle" &&
                                             value.TryGetProperty("entry", out var entries) &&
                                             entries.ValueKind == JsonValueKind.Array
            ? entries.EnumerateArray().Select(e => e.ValueKind == JsonValueKind.Object && e.TryGetProperty("resource", out var r) ? r : default)
            : [value];

        foreach (var resource in resources)
        {
            if (FhirJson.ResourceTypeOf(resource) != "OperationOutcome" ||
                !resource.TryGetProperty("issue", out var issues) || issues.ValueKind != JsonValueKind.Array)
            {
                continue;
            }

            foreach (var issue in issues.EnumerateArray())
            {
                if (issue.ValueKind == JsonValueKind.Object && issue.TryGetProperty("severity", out var severity) &&
                    severity.ValueKind == JsonValueKind.String && severity.GetString() is "error" or "fatal")
                {
                    return true;
                }
            }
        }

        return false;
    }

    private static string? SelfLinkType(JsonElement bundle)
    {
        if (!bundle.TryGetProperty("link", out var links) || links.ValueKind != JsonValueKind.Array)
        {
            return null;
        }

        foreach (var link in links.EnumerateArray())
        {
            if (link.ValueKind == JsonValueKind.Object &&
                link.TryGetProperty("relation", out var relation) &&
                relation.ValueKind == JsonValueKind.String && relation.ValueEquals("self") &&
                link.TryGetProperty("url", out var url) && url.ValueKind == JsonValueKind.String &&
                Uri.TryCreate(url.GetString(), UriKind.RelativeOrAbsolute, out var uri))
            {
                var path = uri.IsAbsoluteUri ? uri.AbsolutePath : url.GetString()!.Split('?')[0];
                return RecordParts.ResourceTypeOfQuery(path.Split('/', StringSplitOptions.RemoveEmptyEntries).LastOrDefault() ?? string.Empty);
            }
        }

        return null;
    }
}
