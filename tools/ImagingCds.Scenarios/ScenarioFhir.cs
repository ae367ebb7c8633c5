using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;

namespace ImagingCds.Scenarios;

/// <summary>Expands a compact scenario into the FHIR record and the order-sign request.</summary>
/// <remarks>
/// The record is valid FHIR R4 (a FHIR server's validation accepts it: tools/fhir-server checks every resource it loads).
/// With the default <see cref="PatientId"/> the resources keep short ids (<c>cond-1</c>); with another patient id every
/// resource id starts with that id, so the records of many scenarios can share one FHIR server without clashing.
/// </remarks>
public static class ScenarioFhir
{
    private static readonly Dictionary<string, string> Systems = new()
    {
        ["icd10cm"] = "http://hl7.org/fhir/sid/icd-10-cm",
        ["snomed"] = "http://snomed.info/sct",
        ["cpt"] = "http://www.ama-assn.org/go/cpt",
        ["loinc"] = "http://loinc.org",
        ["rxnorm"] = "http://www.nlm.nih.gov/research/umls/rxnorm",
        ["hcpcs"] = "https://www.cms.gov/Medicare/Coding/HCPCSReleaseCodeSets",
    };

    /// <summary>The patient id of a scenario replayed on its own (everything in prefetch).</summary>
    public const string PatientId = "scenario-patient";

    /// <summary>
    /// A patient id of its own for a scenario (<c>scn-</c> and 16 hex digits of the SHA-256 of its id), short enough
    /// that resource ids built on it stay within FHIR's 64 characters.
    /// </summary>
    public static string DistinctPatientId(Scenario scenario)
    {
        ArgumentNullException.ThrowIfNull(scenario);
        return "scn-" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(scenario.Id)))[..16];
    }

    /// <summary>The patient's record as resources by prefetch key (the keys of cds-services.json).</summary>
    public static Dictionary<string, List<JsonObject>> Record(Scenario scenario, string patientId = PatientId)
    {
        ArgumentNullException.ThrowIfNull(scenario);
        ArgumentException.ThrowIfNullOrEmpty(patientId);
        var subject = new JsonObject { ["reference"] = $"Patient/{patientId}" };
        string Id(string local) => patientId == PatientId ? local : $"{patientId}-{local}";
        var parts = new Dictionary<string, List<JsonObject>>
        {
            ["patient"] = [], ["coverage"] = [], ["conditions"] = [], ["observations"] = [], ["procedures"] = [],
            ["medicationRequests"] = [], ["medicationStatements"] = [], ["encounters"] = [], ["serviceRequests"] = [],
            ["questionnaireResponses"] = [],
        };
        var patient = new JsonObject { ["resourceType"] = "Patient", ["id"] = patientId };
        if (scenario.Patient.Birth is { } birth)
        {
            patient["birthDate"] = birth;
        }

        if (scenario.Patient.Sex is { } sex)
        {
            patient["gender"] = sex;
        }

        parts["patient"].Add(patient);
        if (scenario.Payer is { } payer)
        {
            parts["coverage"].Add(new JsonObject
            {
                ["resourceType"] = "Coverage", ["id"] = Id("cov-1"), ["status"] = "active",
                ["beneficiary"] = subject.DeepClone(),
                ["payor"] = new JsonArray(new JsonObject { ["display"] = payer }),
            });
        }

        var n = 0;
        foreach (var c in scenario.Record.Conditions)
        {
            var condition = new JsonObject
            {
                ["resourceType"] = "Condition", ["id"] = Id($"cond-{++n}"),
                ["clinicalStatus"] = Concept("http://terminology.hl7.org/CodeSystem/condition-clinical", Get(c, "status") ?? "active"),
                ["verificationStatus"] = Concept("http://terminology.hl7.org/CodeSystem/condition-ver-status", Get(c, "verification") ?? "confirmed"),
                ["code"] = CodeableConcept(c),
                ["subject"] = subject.DeepClone(),
            };
            if (Get(c, "verification") == "entered-in-error" && Get(c, "status") is null)
            {
                // FHIR R4 con-5: clinicalStatus SHALL NOT be present when verificationStatus is entered-in-error.
                condition.Remove("clinicalStatus");
            }

            Set(condition, "onsetDateTime", Get(c, "onset"));
            Set(condition, "recordedDate", Get(c, "recorded"));
            Set(condition, "abatementDateTime", Get(c, "abated"));
            parts["conditions"].Add(condition);
        }

        foreach (var o in scenario.Record.Observations)
        {
            var observation = new JsonObject
            {
                ["resourceType"] = "Observation", ["id"] = Id($"obs-{++n}"), ["status"] = Get(o, "status") ?? "final",
                ["code"] = CodeableConcept(o), ["subject"] = subject.DeepClone(),
            };
            Set(observation, "effectiveDateTime", Get(o, "date"));
            if (Get(o, "value") is { } value)
            {
                observation["valueQuantity"] = new JsonObject { ["value"] = decimal.Parse(value, CultureInfo.InvariantCulture) };
                if (Get(o, "unit") is { } unit)
                {
                    observation["valueQuantity"]!["unit"] = unit;
                }
            }

            if (Get(o, "value_code") is { } valueCode)
            {
                observation["valueCodeableConcept"] = new JsonObject { ["coding"] = new JsonArray(Coding(valueCode)) };
            }

            if (Get(o, "value_boolean") is { } flag)
            {
                observation["valueBoolean"] = bool.Parse(flag);
            }

            if (Get(o, "interpretation") is { } interpretation)
            {
                observation["interpretation"] = new JsonArray(Concept("http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation", interpretation));
            }

            parts["observations"].Add(observation);
        }

        foreach (var p in scenario.Record.Procedures)
        {
            var procedure = new JsonObject
            {
                ["resourceType"] = "Procedure", ["id"] = Id($"proc-{++n}"), ["status"] = Get(p, "status") ?? "completed",
                ["code"] = CodeableConcept(p), ["subject"] = subject.DeepClone(),
            };
            if (Get(p, "start") is { } start)
            {
                procedure["performedPeriod"] = new JsonObject { ["start"] = start, ["end"] = Get(p, "end") ?? start };
            }

            Set(procedure, "performedDateTime", Get(p, "date"));
            parts["procedures"].Add(procedure);
        }

        foreach (var m in scenario.Record.Medications)
        {
            var statement = Get(m, "statement") == "true";
            var medication = new JsonObject
            {
                ["resourceType"] = statement ? "MedicationStatement" : "MedicationRequest",
                ["id"] = Id($"med-{++n}"),
                ["status"] = Get(m, "status") ?? (statement ? "completed" : "completed"),
                ["medicationCodeableConcept"] = CodeableConcept(m),
                ["subject"] = subject.DeepClone(),
            };
            if (statement)
            {
                medication["effectivePeriod"] = Period(Get(m, "start"), Get(m, "end"));
            }
            else
            {
                medication["intent"] = "order";
                Set(medication, "authoredOn", Get(m, "start"));
                medication["dispenseRequest"] = new JsonObject { ["validityPeriod"] = Period(Get(m, "start"), Get(m, "end")) };
            }

            parts[statement ? "medicationStatements" : "medicationRequests"].Add(medication);
        }

        foreach (var e in scenario.Record.Encounters)
        {
            parts["encounters"].Add(new JsonObject
            {
                ["resourceType"] = "Encounter", ["id"] = Id($"enc-{++n}"), ["status"] = Get(e, "status") ?? "finished",
                ["class"] = new JsonObject { ["system"] = "http://terminology.hl7.org/CodeSystem/v3-ActCode", ["code"] = Get(e, "class") ?? "AMB" },
                ["subject"] = subject.DeepClone(),
                ["period"] = Period(Get(e, "date") ?? Get(e, "start"), Get(e, "end") ?? Get(e, "date")),
            });
        }

        foreach (var s in scenario.Record.ServiceRequests)
        {
            var request = new JsonObject
            {
                ["resourceType"] = "ServiceRequest", ["id"] = Id($"sr-{++n}"), ["status"] = Get(s, "status") ?? "completed",
                ["intent"] = "order", ["code"] = CodeableConcept(s), ["subject"] = subject.DeepClone(),
            };
            Set(request, "occurrenceDateTime", Get(s, "date"));
            Set(request, "authoredOn", Get(s, "date"));
            parts["serviceRequests"].Add(request);
        }

        if (scenario.Record.Answers.Count > 0)
        {
            var items = new JsonArray();
            foreach (var a in scenario.Record.Answers)
            {
                var value = Get(a, "value") ?? "true";
                var answer = bool.TryParse(value, out var yes) ? new JsonObject { ["valueBoolean"] = yes }
                    : decimal.TryParse(value, NumberStyles.Number, CultureInfo.InvariantCulture, out var number) ? new JsonObject { ["valueDecimal"] = number }
                    : new JsonObject { ["valueString"] = value };
                items.Add(new JsonObject { ["linkId"] = Get(a, "link"), ["answer"] = new JsonArray(answer) });
            }

            parts["questionnaireResponses"].Add(new JsonObject
            {
                ["resourceType"] = "QuestionnaireResponse", ["id"] = Id("qr-1"), ["status"] = "completed",
                ["subject"] = subject.DeepClone(),
                ["authored"] = Get(scenario.Record.Answers[0], "date") ?? scenario.Date,
                ["author"] = new JsonObject { ["reference"] = "Practitioner/scenario-clinician", ["display"] = "Dr. Scenario" },
                ["item"] = items,
            });
        }

        return parts;
    }

    /// <summary>The record as one <c>collection</c> Bundle, as a FHIR server's loader takes it.</summary>
    public static JsonObject RecordBundle(Scenario scenario, string patientId = PatientId) => new()
    {
        ["resourceType"] = "Bundle",
        ["type"] = "collection",
        ["entry"] = new JsonArray(Record(scenario, patientId).Values.SelectMany(r => r)
            .Select(r => (JsonNode?)new JsonObject { ["resource"] = r }).ToArray()),
    };

    /// <summary>
    /// The order-sign request: with <paramref name="withPrefetch"/> the whole record is in prefetch (searchset Bundles;
    /// the Patient as a resource; the scenario's <c>prefetch:</c> block may omit keys, send them as JSON null or as a
    /// failed search), else the request carries no prefetch and the caller adds <c>fhirServer</c>.
    /// </summary>
    public static JsonObject Request(Scenario scenario, bool withPrefetch = true, string patientId = PatientId)
    {
        ArgumentNullException.ThrowIfNull(scenario);
        var entries = new JsonArray();
        foreach (var order in scenario.Orders)
        {
            var codings = new JsonArray();
            if (order.LocalCode is { } local)
            {
                codings.Add(Coding(local, rawSystem: true));
            }

            codings.Add(order.Cpt is { } cpt ? Coding($"cpt|{cpt}|Spine MRI") : Coding(order.Code ?? "cpt|00000|unknown"));
            var request = new JsonObject
            {
                ["resourceType"] = "ServiceRequest", ["id"] = order.Id, ["status"] = order.Status ?? "draft", ["intent"] = "order",
                ["code"] = new JsonObject { ["coding"] = codings },
                ["subject"] = new JsonObject { ["reference"] = $"Patient/{patientId}" },
                ["authoredOn"] = scenario.Date,
            };
            if (order.Reasons.Count > 0)
            {
                request["reasonCode"] = new JsonArray(order.Reasons.Select(r => (JsonNode?)new JsonObject { ["coding"] = new JsonArray(Coding(r)) }).ToArray());
            }

            entries.Add(new JsonObject { ["resource"] = request });
        }

        var body = new JsonObject
        {
            ["hook"] = "order-sign",
            ["hookInstance"] = $"scenario-{scenario.Id}",
            ["context"] = new JsonObject
            {
                ["userId"] = "PractitionerRole/scenario-clinician",
                ["patientId"] = patientId,
                ["draftOrders"] = new JsonObject { ["resourceType"] = "Bundle", ["type"] = "collection", ["entry"] = entries },
            },
        };
        if (withPrefetch)
        {
            var prefetch = new JsonObject();
            var record = Record(scenario, patientId);
            var shapes = scenario.Prefetch ?? new ScenarioPrefetch();
            foreach (var key in shapes.Omit.Concat(shapes.Null).Concat(shapes.Outcome))
            {
                if (!record.ContainsKey(key))
                {
                    throw new InvalidOperationException($"prefetch: unknown key '{key}' (known: {string.Join(", ", record.Keys)})");
                }
            }

            foreach (var (key, resources) in record)
            {
                if (shapes.Omit.Contains(key))
                {
                    continue;
                }

                if (shapes.Null.Contains(key))
                {
                    prefetch[key] = null;
                    continue;
                }

                if (shapes.Outcome.Contains(key))
                {
                    prefetch[key] = FailedSearch(key);
                    continue;
                }

                prefetch[key] = key == "patient"
                    ? resources[0]
                    : new JsonObject
                    {
                        ["resourceType"] = "Bundle", ["type"] = "searchset",
                        ["entry"] = new JsonArray(resources.Select(r => (JsonNode?)new JsonObject { ["resource"] = r }).ToArray()),
                    };
            }

            body["prefetch"] = prefetch;
        }

        return body;
    }

    /// <summary>What an EHR sends when its prefetch search failed: a searchset Bundle holding only an error OperationOutcome.</summary>
    private static JsonObject FailedSearch(string key) => new()
    {
        ["resourceType"] = "Bundle", ["type"] = "searchset",
        ["entry"] = new JsonArray(new JsonObject
        {
            ["resource"] = new JsonObject
            {
                ["resourceType"] = "OperationOutcome",
                ["issue"] = new JsonArray(new JsonObject
                {
                    ["severity"] = "error", ["code"] = "exception",
                    ["diagnostics"] = $"The EHR could not run the '{key}' prefetch search",
                }),
            },
            ["search"] = new JsonObject { ["mode"] = "outcome" },
        }),
    };

    private static string? Get(Dictionary<string, object> item, string key) =>
        item.TryGetValue(key, out var value) ? Convert.ToString(value, CultureInfo.InvariantCulture) : null;

    private static void Set(JsonObject target, string key, string? value)
    {
        if (value is not null)
        {
            target[key] = value;
        }
    }

    private static JsonObject Period(string? start, string? end)
    {
        var period = new JsonObject();
        Set(period, "start", start);
        Set(period, "end", end);
        return period;
    }

    private static JsonObject Concept(string system, string code) =>
        new() { ["coding"] = new JsonArray(new JsonObject { ["system"] = system, ["code"] = code }) };

    private static JsonObject CodeableConcept(Dictionary<string, object> item)
    {
        var codings = new JsonArray(Coding(Get(item, "code") ?? throw new InvalidOperationException("'code' is required")));
        if (item.TryGetValue("codes", out var more) && more is IEnumerable<object> list)
        {
            foreach (var code in list)
            {
                codings.Add(Coding(Convert.ToString(code, CultureInfo.InvariantCulture)!));
            }
        }

        return new JsonObject { ["coding"] = codings };
    }

    private static JsonObject Coding(string text, bool rawSystem = false)
    {
        var parts = text.Split('|');
        var system = rawSystem ? parts[0] : Systems.TryGetValue(parts[0], out var uri) ? uri : throw new InvalidOperationException($"unknown code system '{parts[0]}' in '{text}'");
        var coding = new JsonObject { ["system"] = system, ["code"] = parts[1] };
        if (parts.Length > 2)
        {
            coding["display"] = parts[2];
        }

        return coding;
    }
}
