using System.Text.Json.Nodes;

namespace ImagingCds.Tests.Fixtures;

/// <summary>
/// The SMART sample patients of ../shared/sample-patients (records nobody here wrote) as order-sign requests: each
/// patient's collection Bundles split into prefetch by resource type, with a lumbar and a cervical MRI draft order.
/// </summary>
/// <remarks>Also compiled into the benchmarks project (linked), so both measure the same requests.</remarks>
public static class SamplePatients
{
    public static IEnumerable<string> Ids(string folder) =>
        Directory.Exists(folder)
            ? Directory.EnumerateFiles(folder, "patient-*.fhir-bundle.json").Select(f => Path.GetFileName(f).Split('.')[0]["patient-".Length..]).Order(StringComparer.Ordinal)
            : [];

    public static string Request(string folder, string id)
    {
        var byKey = new Dictionary<string, JsonArray>(StringComparer.Ordinal);
        JsonObject? patient = null;
        foreach (var file in Directory.EnumerateFiles(folder, $"patient-{id}.fhir-bundle*.json").Order(StringComparer.Ordinal))
        {
            foreach (var entry in JsonNode.Parse(File.ReadAllText(file))!["entry"]!.AsArray())
            {
                var resource = entry!["resource"]!.AsObject();
                var type = (string)resource["resourceType"]!;
                if (type == "Patient")
                {
                    patient = (JsonObject)resource.DeepClone();
                    continue;
                }

                var key = char.ToLowerInvariant(type[0]) + type[1..] + "s";
                (byKey.TryGetValue(key, out var list) ? list : byKey[key] = []).Add(new JsonObject { ["resource"] = resource.DeepClone() });
            }
        }

        var patientId = (string?)patient?["id"] ?? $"smart-{id}";
        var prefetch = new JsonObject { ["patient"] = patient };
        foreach (var (key, entries) in byKey)
        {
            prefetch[key] = new JsonObject { ["resourceType"] = "Bundle", ["type"] = "searchset", ["entry"] = entries };
        }

        // The sample records have no Coverage, MedicationStatements or QuestionnaireResponses: the EHR says "none".
        foreach (var key in new[] { "coverage", "medicationStatements", "questionnaireResponses", "serviceRequests", "procedures" })
        {
            prefetch[key] ??= null;
        }

        return new JsonObject
        {
            ["hook"] = "order-sign",
            ["hookInstance"] = $"sample-{id}",
            ["context"] = new JsonObject
            {
                ["userId"] = "Practitioner/sample-clinician",
                ["patientId"] = patientId,
                ["draftOrders"] = new JsonObject
                {
                    ["resourceType"] = "Bundle",
                    ["type"] = "collection",
                    ["entry"] = new JsonArray(Order("lumbar-mri", "72148", patientId), Order("cervical-mri", "72141", patientId)),
                },
            },
            ["prefetch"] = prefetch,
        }.ToJsonString();
    }

    private static JsonObject Order(string id, string cpt, string patientId) => new()
    {
        ["resource"] = new JsonObject
        {
            ["resourceType"] = "ServiceRequest",
            ["id"] = id,
            ["status"] = "draft",
            ["intent"] = "order",
            ["subject"] = new JsonObject { ["reference"] = $"Patient/{patientId}" },
            ["code"] = new JsonObject { ["coding"] = new JsonArray(new JsonObject { ["system"] = "http://www.ama-assn.org/go/cpt", ["code"] = cpt }) },
            ["authoredOn"] = "2026-11-20",
        },
    };
}
