using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using ImagingCds.Tests.Feedback;
using ImagingCds.Tests.Support;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Logging;

namespace ImagingCds.Tests.Hooks;

/// <summary>
/// DESIGN.md: tokens are never logged, and neither is patient data. A whole hook call, part of the record from prefetch
/// and part from the FHIR server, runs with every log category at Trace into a capture; nothing identifying may appear.
/// </summary>
public sealed partial class HookLogPrivacyTests
{
    private const string ServiceUrl = "/cds-services/spine-mri-appropriateness";
    private const string HookInstance = "privacy-hook-8c1e2f";
    private const string PatientId = "pt-7Q2XK9";
    private const string AccessToken = "eyJhbGciOiJub25lIn0.SECRET-ACCESS-6f1d9c";
    private const string Family = "Quixwhistle";
    private const string Given = "Zebadiah";
    private const string Mrn = "MRN-4471902";
    private const string SubscriberId = "SUB-99812-X";
    private const string BirthDate = "1961-07-23";
    private const string Phone = "555-0199-8833";
    private const string ConditionText = "Zygapophyseal quokka radiculopathy";
    private const string ProcedureText = "Wombat-assisted lumbar traction";
    private const string ObservationText = "Patient reports numbness since the garden party";

    [Fact]
    public async Task PostService_FullRecordAtTraceLevel_LogsVerdictsButNoPatientDataOrToken()
    {
        await using var fhir = await FakeFhirServer.StartAsync();
        fhir.On($"Patient/{PatientId}", Reply.Json(Patient().ToJsonString()));
        fhir.On("Coverage", Reply.Json(Some.Bundle(Coverage()).ToJsonString()));
        fhir.On("Observation", Reply.Json(Some.Bundle(Observation()).ToJsonString()));
        var logs = new LogCapture();
        await using var factory = new CdsServiceFactory();
        using var service = factory.WithWebHostBuilder(b => b
            .UseSetting("Fhir:RecordBudget", "00:00:10")
            .UseSetting("Fhir:AttemptTimeout", "00:00:05")
            .ConfigureLogging(logging => logging.AddProvider(logs).AddFilter<LogCapture>(null, LogLevel.Trace).SetMinimumLevel(LogLevel.Trace)));
        using var client = service.CreateClient();

        using var response = await client.PostAsync(ServiceUrl, new StringContent(Request(fhir.BaseUrl).ToJsonString(), Encoding.UTF8, "application/json"));

        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"HTTP {(int)response.StatusCode}: {body}");
        Assert.Contains(fhir.RequestsTo($"Patient/{PatientId}"), r => r.Authorization == $"Bearer {AccessToken}");
        var log = string.Join('\n', logs.Events);

        // What the log is for: which call, and what it decided.
        Assert.Contains(HookInstance, log, StringComparison.Ordinal);
        Assert.Contains("FHIR GET Patient on ", log, StringComparison.Ordinal);
        var verdicts = JsonNode.Parse(body)!["cards"]!.AsArray()
            .SelectMany(card => card?["extension"]?["appropriateness"]?.AsArray() ?? [])
            .Select(entry => (string)entry!["verdict"]!)
            .ToArray();
        Assert.NotEmpty(verdicts);
        Assert.All(verdicts, verdict => Assert.Contains($"→ {verdict}", log, StringComparison.Ordinal));

        // What it must never hold. A needs-documentation card links a form whose token is a bearer capability to the
        // record, so form tokens count too.
        var secrets = new[] { PatientId, AccessToken, "SECRET-ACCESS", Family, Given, Mrn, SubscriberId, BirthDate, Phone, ConditionText, ProcedureText, ObservationText }
            .Concat(FormToken().Matches(body).Select(m => m.Groups[1].Value));
        var leaks = secrets.Where(secret => log.Contains(secret, StringComparison.OrdinalIgnoreCase)).ToArray();
        Assert.True(leaks.Length == 0, $"the log holds {string.Join(", ", leaks)}:\n{string.Join('\n', logs.Events.Where(e => leaks.Any(l => e.Contains(l, StringComparison.OrdinalIgnoreCase))))}");
    }

    private static JsonObject Request(Uri fhirServer)
    {
        var request = Some.OrderSignRequest(Order());
        request["hookInstance"] = HookInstance;
        request["context"]!["patientId"] = PatientId;
        request["fhirServer"] = fhirServer.AbsoluteUri;
        request["fhirAuthorization"] = new JsonObject
        {
            ["access_token"] = AccessToken,
            ["token_type"] = "Bearer",
            ["expires_in"] = 300,
            ["scope"] = "patient/*.read",
            ["subject"] = "imaging-cds",
        };
        request["prefetch"] = new JsonObject
        {
            ["conditions"] = Some.Bundle(Condition()),
            ["procedures"] = Some.Bundle(Procedure()),
        };
        return request;
    }

    private static JsonObject Order()
    {
        var order = Some.SpineMriOrder(authoredOn: "2026-11-20");
        order["subject"] = Some.Ref($"Patient/{PatientId}");
        order["note"] = new JsonArray(new JsonObject { ["text"] = $"{Given} {Family} prefers mornings" });
        return order;
    }

    private static JsonObject Patient() => new()
    {
        ["resourceType"] = "Patient",
        ["id"] = PatientId,
        ["identifier"] = new JsonArray(new JsonObject
        {
            ["type"] = new JsonObject { ["coding"] = new JsonArray(Some.Coding("http://terminology.hl7.org/CodeSystem/v2-0203", "MR")) },
            ["system"] = "urn:oid:1.2.840.114350.1.13.0.1.7.5.737384.14",
            ["value"] = Mrn,
        }),
        ["name"] = new JsonArray(new JsonObject { ["family"] = Family, ["given"] = new JsonArray(Given), ["text"] = $"{Given} {Family}" }),
        ["telecom"] = new JsonArray(new JsonObject { ["system"] = "phone", ["value"] = Phone }),
        ["gender"] = "male",
        ["birthDate"] = BirthDate,
    };

    private static JsonObject Coverage() => new()
    {
        ["resourceType"] = "Coverage",
        ["id"] = "cov-1",
        ["status"] = "active",
        ["subscriberId"] = SubscriberId,
        ["beneficiary"] = Some.Ref($"Patient/{PatientId}"),
        ["payor"] = new JsonArray(new JsonObject { ["display"] = "Cigna" }),
    };

    private static JsonObject Condition()
    {
        var condition = Some.Condition("cond-1", $"Patient/{PatientId}");
        condition["code"] = new JsonObject
        {
            ["coding"] = new JsonArray(Some.Coding("http://hl7.org/fhir/sid/icd-10-cm", "M54.16", ConditionText)),
            ["text"] = ConditionText,
        };
        condition["onsetDateTime"] = "2026-09-01";
        return condition;
    }

    private static JsonObject Procedure() => new()
    {
        ["resourceType"] = "Procedure",
        ["id"] = "proc-1",
        ["status"] = "completed",
        ["code"] = new JsonObject { ["coding"] = new JsonArray(Some.Coding("http://www.ama-assn.org/go/cpt", "97110", ProcedureText)), ["text"] = ProcedureText },
        ["subject"] = Some.Ref($"Patient/{PatientId}"),
        ["performedPeriod"] = new JsonObject { ["start"] = "2026-09-05", ["end"] = "2026-10-30" },
    };

    private static JsonObject Observation() => new()
    {
        ["resourceType"] = "Observation",
        ["id"] = "obs-1",
        ["status"] = "final",
        ["code"] = new JsonObject { ["text"] = "Clinical note" },
        ["subject"] = Some.Ref($"Patient/{PatientId}"),
        ["effectiveDateTime"] = "2026-11-18",
        ["valueString"] = ObservationText,
    };

    [GeneratedRegex("/forms/([A-Za-z0-9_-]{16,})")]
    private static partial Regex FormToken();
}
