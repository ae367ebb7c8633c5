using System.Diagnostics;
using System.Text.Json.Nodes;
using ImagingCds.Cards;
using ImagingCds.Feedback;
using ImagingCds.Guidelines;
using ImagingCds.Record;
using Microsoft.Extensions.Options;

namespace ImagingCds.Hooks;

/// <summary>
/// The order-sign hook, end to end: request → orders in scope → patient record → response.
/// </summary>
public sealed class OrderSignHandler(
    PatientRecordAssembler assembler,
    GuidelineLibrary library,
    FormSessions forms,
    IssuedCards issuedCards,
    IOptions<HookOptions> options,
    IOptions<GuidelineOptions> guidelineOptions,
    TimeProvider time,
    ILogger<OrderSignHandler> logger)
{
    private readonly HookOptions _options = options.Value;

    public async Task<IResult> HandleAsync(HttpRequest http, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(http);
        var started = Stopwatch.GetTimestamp();
        var body = await BoundedBody.ReadAsync(http, _options.MaxRequestBytes, cancellationToken);
        if (body is null)
        {
            return Refuse(new HookRequestError(413, "body-too-large", $"the request body is larger than {_options.MaxRequestBytes} bytes", string.Empty));
        }

        var request = HookRequestParser.Parse(body, _options, out var error);
        if (request is null)
        {
            return Refuse(error!);
        }

        // Only the FHIR servers of the authenticated client are ever called (401 otherwise).
        if (Security.CdsClientAuthentication.RefuseFhirServer(http.HttpContext, request.FhirServer) is { } refused)
        {
            return refused;
        }

        var today = DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime);
        var orders = DraftOrders.InScope(request.Context.DraftOrders, library.Cpt, today);
        if (orders.Count == 0)
        {
            HookLog.Answered(logger, request.HookInstance, 0, 0, 0, 0, 0, 0, ElapsedMs(started));
            return Cds(new JsonObject());
        }

        var query = new RecordQuery(
            request.Context.PatientId, request.Context.UserId, request.Context.EncounterId,
            request.Prefetch, request.FhirServer, request.FhirAuthorization);
        var record = await assembler.AssembleAsync(query, cancellationToken);
        if (record is null)
        {
            return Refuse(new HookRequestError(412, "no-patient-data", "spine MRI orders need the patient's record: send prefetch or fhirServer with fhirAuthorization", "prefetch"));
        }

        foreach (var gap in record.Gaps.Where(g => g.IsFailure))
        {
            HookLog.RecordGap(logger, request.HookInstance, gap.ResourceType, gap.Reason.ToString());
        }

        JsonObject response;
        IReadOnlyList<Finding> findings;
        try
        {
            findings = Appropriateness.Evaluate(record, orders, library, guidelineOptions.Value.PayerRoutes);
            response = Respond(request, http, record, orders, findings);
        }
#pragma warning disable CA1031 // A bug past this point must still answer: an honest "could not check", never a 500 that blocks signing.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            HookLog.Failed(logger, request.HookInstance, ex.GetType().Name);
            findings = orders.SelectMany(o => library.Policies.Where(p => p.Cpt.Contains(o.Cpt))
                .Select(p => Evaluator.Failed(p, o.Reference, o.Cpt, "the service hit an internal problem while checking this order"))).ToArray();
            response = CardBuilder.Build(request.HookInstance, orders, findings, library, PublicBaseUrl(http), new Dictionary<(string Order, string Policy), string>());
        }

        HookLog.Answered(logger, request.HookInstance, orders.Count, record.ResourceCount, record.Gaps.Count,
            record.ForeignResourcesDropped, record.Issues.Count, findings.Count, ElapsedMs(started));
        foreach (var finding in findings)
        {
            HookLog.Verdict(logger, request.HookInstance, finding.PolicyId, finding.Cpt, finding.Verdict.Wire());
        }

        issuedCards.Record(response, findings);
        return Cds(response);
    }

    /// <summary>Cards for the findings, with a documentation form opened for each one that needs documentation.</summary>
    private JsonObject Respond(HookRequest request, HttpRequest http, PatientRecord record, IReadOnlyList<DraftOrder> orders, IReadOnlyList<Finding> findings)
    {
        var baseUrl = PublicBaseUrl(http);
        var formLinks = new Dictionary<(string Order, string Policy), string>();
        foreach (var finding in findings.Where(f => f.Verdict == Verdict.NeedsDocumentation && f.Decisive.Count > 0))
        {
            var order = orders.First(o => o.Reference == finding.Order);
            var session = forms.Open(record, order, finding.PolicyId, finding.Decisive[0].Rule.Id, request.Context.UserId, baseUrl);
            formLinks[(finding.Order, finding.PolicyId)] = $"{baseUrl}/forms/{session.Token}";
        }

        return CardBuilder.Build(request.HookInstance, orders, findings, library, baseUrl, formLinks);
    }

    /// <summary>The configured public URL, else the one the EHR called (behind a proxy, configure it).</summary>
    private string PublicBaseUrl(HttpRequest http) =>
        (_options.PublicBaseUrl ?? $"{http.Scheme}://{http.Host}{http.PathBase}").TrimEnd('/');

    private IResult Refuse(HookRequestError error)
    {
        HookLog.Refused(logger, error.Status, error.Code, error.Path);
        return Problems.From(error);
    }

    private static Microsoft.AspNetCore.Http.HttpResults.ContentHttpResult Cds(JsonObject response) =>
        TypedResults.Content(CdsJson.PruneResponse(response).ToJsonString(), "application/json");

    private static long ElapsedMs(long started) => (long)Stopwatch.GetElapsedTime(started).TotalMilliseconds;
}
