using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace ImagingCds.Tests.Support;

/// <summary>Test data: small, valid FHIR and CDS Hooks JSON that each test bends to its case.</summary>
internal static class Some
{
    public const string PatientId = "pat-1";
    public const string CptSystem = "http://www.ama-assn.org/go/cpt";

    /// <summary>Prefetch templates as the discovery document declares them (a subset).</summary>
    public static readonly IReadOnlyDictionary<string, string> PrefetchTemplates = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["patient"] = "Patient/{{context.patientId}}",
        ["conditions"] = "Condition?patient={{context.patientId}}",
        ["observations"] = "Observation?patient={{context.patientId}}",
        ["procedures"] = "Procedure?patient={{context.patientId}}",
    };

    /// <summary>A valid order-sign request with the given draft orders (one lumbar MRI, CPT 72148, when none are given).</summary>
    public static JsonObject OrderSignRequest(params JsonObject[] draftOrders) => new()
    {
        ["hook"] = "order-sign",
        ["hookInstance"] = "d1577c69-dfbe-44ad-ba6d-3e05e953b2ea",
        ["context"] = new JsonObject
        {
            ["userId"] = "Practitioner/prac-1",
            ["patientId"] = PatientId,
            ["encounterId"] = "enc-1",
            ["draftOrders"] = Bundle("collection", draftOrders.Length == 0 ? [SpineMriOrder()] : draftOrders),
        },
    };

    /// <summary>A draft ServiceRequest for a spine MRI: an EHR-local coding beside the CPT one.</summary>
    public static JsonObject SpineMriOrder(string id = "sr-1", string cpt = "72148", string? authoredOn = "2024-05-17", string status = "draft") =>
        ServiceRequest(id, status, authoredOn,
            Coding("urn:oid:1.2.840.114350.1.13.0.1.7.2.696580", "IMG1234", "MRI L-spine w/o contrast"),
            Coding(CptSystem, cpt, "MRI lumbar spine without contrast"));

    public static JsonObject ServiceRequest(string id, string status, string? authoredOn, params JsonObject[] codings)
    {
        var request = new JsonObject
        {
            ["resourceType"] = "ServiceRequest",
            ["id"] = id,
            ["status"] = status,
            ["intent"] = "order",
            ["code"] = new JsonObject { ["coding"] = new JsonArray([.. codings]) },
            ["subject"] = Ref($"Patient/{PatientId}"),
        };
        if (authoredOn is not null)
        {
            request["authoredOn"] = authoredOn;
        }

        return request;
    }

    public static JsonObject Coding(string system, string code, string? display = null)
    {
        var coding = new JsonObject { ["system"] = system, ["code"] = code };
        if (display is not null)
        {
            coding["display"] = display;
        }

        return coding;
    }

    /// <summary>A low back pain Condition (SNOMED 279039007) about <paramref name="subject"/>.</summary>
    public static JsonObject Condition(string id = "cond-1", string subject = $"Patient/{PatientId}") => new()
    {
        ["resourceType"] = "Condition",
        ["id"] = id,
        ["clinicalStatus"] = new JsonObject
        {
            ["coding"] = new JsonArray(Coding("http://terminology.hl7.org/CodeSystem/condition-clinical", "active")),
        },
        ["code"] = new JsonObject
        {
            ["coding"] = new JsonArray(Coding("http://snomed.info/sct", "279039007", "Low back pain")),
            ["text"] = "Low back pain",
        },
        ["subject"] = Ref(subject),
        ["onsetDateTime"] = "2024-03-02",
    };

    public static JsonObject Patient(string id = PatientId) => new()
    {
        ["resourceType"] = "Patient",
        ["id"] = id,
        ["gender"] = "female",
        ["birthDate"] = "1968-04-12",
    };

    /// <summary>An OperationOutcome with one issue of the given severity.</summary>
    public static JsonObject OperationOutcome(string severity) => new()
    {
        ["resourceType"] = "OperationOutcome",
        ["issue"] = new JsonArray(new JsonObject { ["severity"] = severity, ["code"] = "processing" }),
    };

    /// <summary>A Bundle of the given type holding the resources as entries (each deep-cloned).</summary>
    public static JsonObject Bundle(string type, params JsonObject[] resources) => new()
    {
        ["resourceType"] = "Bundle",
        ["type"] = type,
        ["entry"] = new JsonArray([.. resources.Select(r => (JsonNode)new JsonObject { ["resource"] = r.DeepClone() })]),
    };

    /// <summary>A searchset Bundle of the resources.</summary>
    public static JsonObject Bundle(params JsonObject[] resources) => Bundle("searchset", resources);

    public static JsonObject Ref(string reference) => new() { ["reference"] = reference };

    public static JsonElement Element(JsonNode node) => Element(node.ToJsonString());

    public static JsonElement Element(string json)
    {
        using var document = JsonDocument.Parse(json);
        return document.RootElement.Clone();
    }

    public static byte[] Utf8(JsonNode node) => Encoding.UTF8.GetBytes(node.ToJsonString());
}
