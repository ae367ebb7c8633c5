using System.Text;
using System.Text.Json.Nodes;
using ImagingCds.Benchmarks;

namespace ImagingCds.LoadTest;

/// <summary>
/// The typical record of issue #8: 500 resources (bench/ImagingCds.Benchmarks/SyntheticRecord.cs) under a payer no route
/// matches, so all policies in scope run, as in the in-process benchmark.
/// </summary>
public static class TypicalRecord
{
    public const int Resources = 500;
    public const string Payer = "Unmapped Health Plan";

    /// <summary>The order-sign request with the whole record in prefetch.</summary>
    public static byte[] WithPrefetch() => Encoding.UTF8.GetBytes(SyntheticRecord.Request(Resources, Payer));

    /// <summary>The same request with no prefetch at all, so the service reads every part from <paramref name="fhirServer"/>.</summary>
    public static byte[] WithFhirServer(Uri fhirServer)
    {
        ArgumentNullException.ThrowIfNull(fhirServer);
        var request = Request();
        request.Remove("prefetch");
        request["fhirServer"] = fhirServer.AbsoluteUri;
        request["fhirAuthorization"] = new JsonObject
        {
            ["access_token"] = "load-test-token",
            ["token_type"] = "Bearer",
            ["expires_in"] = 300,
            ["scope"] = "patient/*.read",
            ["subject"] = "load-test",
        };
        return Encoding.UTF8.GetBytes(request.ToJsonString());
    }

    /// <summary>The patient the record is about (<c>context.patientId</c>).</summary>
    public static string PatientId() => Request()["context"]!["patientId"]!.GetValue<string>();

    /// <summary>Every resource of the record (the prefetch's resources and Bundle entries), grouped by resource type.</summary>
    public static IReadOnlyDictionary<string, IReadOnlyList<JsonObject>> ResourcesByType()
    {
        var resources = new List<JsonObject>();
        foreach (var (_, value) in Request()["prefetch"]!.AsObject())
        {
            if (value is not JsonObject item)
            {
                continue;
            }

            if (item["resourceType"]?.GetValue<string>() == "Bundle")
            {
                resources.AddRange(item["entry"]!.AsArray().Select(e => e!["resource"]!.AsObject()));
            }
            else
            {
                resources.Add(item);
            }
        }

        return resources.GroupBy(r => r["resourceType"]!.GetValue<string>(), StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => (IReadOnlyList<JsonObject>)[.. g.Select(r => (JsonObject)r.DeepClone())], StringComparer.Ordinal);
    }

    private static JsonObject Request() => JsonNode.Parse(SyntheticRecord.Request(Resources, Payer))!.AsObject();
}
