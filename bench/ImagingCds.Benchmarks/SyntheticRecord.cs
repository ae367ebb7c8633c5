using System.Globalization;
using System.Text.Json.Nodes;

namespace ImagingCds.Benchmarks;

/// <summary>
/// An order-sign request with a record of a given size in prefetch: a realistic mix (about half Observations, then
/// Encounters, Conditions, medications, procedures), a few of them relevant to spine MRI criteria.
/// </summary>
public static class SyntheticRecord
{
    public static string Request(int resources, string payer = "Cigna")
    {
        const string patient = "bench-patient";
        var subject = new JsonObject { ["reference"] = $"Patient/{patient}" };
        var observations = new JsonArray();
        var encounters = new JsonArray();
        var conditions = new JsonArray();
        var medications = new JsonArray();
        var procedures = new JsonArray();
        var day = new DateOnly(2026, 11, 20);
        for (var i = 0; i < resources; i++)
        {
            var date = day.AddDays(-(i * 7 % 1500)).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
            switch (i % 10)
            {
                case < 5:
                    observations.Add(Entry(new JsonObject
                    {
                        ["resourceType"] = "Observation", ["id"] = $"obs-{i}", ["status"] = "final", ["subject"] = subject.DeepClone(),
                        ["code"] = Code("http://loinc.org", i % 3 == 0 ? "6690-2" : "8310-5"), ["effectiveDateTime"] = date,
                        ["valueQuantity"] = new JsonObject { ["value"] = i % 3 == 0 ? 7.5 + (i % 5) : 36.8 },
                    }));
                    break;
                case < 7:
                    encounters.Add(Entry(new JsonObject
                    {
                        ["resourceType"] = "Encounter", ["id"] = $"enc-{i}", ["status"] = "finished", ["subject"] = subject.DeepClone(),
                        ["class"] = new JsonObject { ["system"] = "http://terminology.hl7.org/CodeSystem/v3-ActCode", ["code"] = "AMB" },
                        ["period"] = new JsonObject { ["start"] = date, ["end"] = date },
                    }));
                    break;
                case 7:
                    conditions.Add(Entry(new JsonObject
                    {
                        ["resourceType"] = "Condition", ["id"] = $"cond-{i}", ["subject"] = subject.DeepClone(),
                        ["clinicalStatus"] = Code("http://terminology.hl7.org/CodeSystem/condition-clinical", "active"),
                        ["code"] = Code("http://hl7.org/fhir/sid/icd-10-cm", (i / 10 % 4) switch { 0 => "M54.16", 1 => "E11.9", 2 => "I10", _ => "M54.50" }),
                        ["onsetDateTime"] = date,
                    }));
                    break;
                case 8:
                    medications.Add(Entry(new JsonObject
                    {
                        ["resourceType"] = "MedicationRequest", ["id"] = $"med-{i}", ["status"] = "completed", ["intent"] = "order", ["subject"] = subject.DeepClone(),
                        ["medicationCodeableConcept"] = Code("http://www.nlm.nih.gov/research/umls/rxnorm", i % 20 == 8 ? "5640" : "29046"),
                        ["authoredOn"] = date,
                        ["dispenseRequest"] = new JsonObject { ["expectedSupplyDuration"] = new JsonObject { ["value"] = 30, ["code"] = "d" } },
                    }));
                    break;
                default:
                    procedures.Add(Entry(new JsonObject
                    {
                        ["resourceType"] = "Procedure", ["id"] = $"proc-{i}", ["status"] = "completed", ["subject"] = subject.DeepClone(),
                        ["code"] = Code("http://www.ama-assn.org/go/cpt", "97110"), ["performedDateTime"] = date,
                    }));
                    break;
            }
        }

        var order = new JsonObject
        {
            ["resourceType"] = "ServiceRequest", ["id"] = "bench-order", ["status"] = "draft", ["intent"] = "order", ["subject"] = subject.DeepClone(),
            ["code"] = Code("http://www.ama-assn.org/go/cpt", "72148"), ["authoredOn"] = "2026-11-20",
        };
        var request = new JsonObject
        {
            ["hook"] = "order-sign",
            ["hookInstance"] = "3f1d7e52-8a7c-4d0e-9a61-0b2f3c4d5e6f",
            ["context"] = new JsonObject
            {
                ["userId"] = "Practitioner/bench",
                ["patientId"] = patient,
                ["draftOrders"] = new JsonObject { ["resourceType"] = "Bundle", ["type"] = "collection", ["entry"] = new JsonArray(Entry(order)) },
            },
            ["prefetch"] = new JsonObject
            {
                ["patient"] = new JsonObject { ["resourceType"] = "Patient", ["id"] = patient, ["birthDate"] = "1961-05-02", ["gender"] = "female" },
                ["coverage"] = Bundle(new JsonArray(Entry(new JsonObject
                {
                    ["resourceType"] = "Coverage", ["id"] = "cov", ["status"] = "active", ["beneficiary"] = subject.DeepClone(),
                    ["payor"] = new JsonArray(new JsonObject { ["display"] = payer }),
                }))),
                ["conditions"] = Bundle(conditions), ["observations"] = Bundle(observations), ["encounters"] = Bundle(encounters),
                ["medicationRequests"] = Bundle(medications), ["procedures"] = Bundle(procedures),
                ["serviceRequests"] = null, ["medicationStatements"] = null, ["questionnaireResponses"] = null,
            },
        };
        return request.ToJsonString();
    }

    private static JsonObject Entry(JsonObject resource) => new() { ["resource"] = resource };

    private static JsonObject Bundle(JsonArray entries) => new() { ["resourceType"] = "Bundle", ["type"] = "searchset", ["entry"] = entries };

    private static JsonObject Code(string system, string code) => new() { ["coding"] = new JsonArray(new JsonObject { ["system"] = system, ["code"] = code }) };
}
