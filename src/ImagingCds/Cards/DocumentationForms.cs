using System.Globalization;
using System.Text.Json;
using ImagingCds.Fhir;
using ImagingCds.Guidelines;
using ImagingCds.Record;
using Microsoft.Extensions.Options;

namespace ImagingCds.Cards;

/// <summary>
/// Serves documentation forms and closes the loop: answers become a completed QuestionnaireResponse, the order is
/// re-evaluated against the policy with it, and the new verdict is returned at once.
/// </summary>
public sealed class DocumentationForms(FormSessions sessions, GuidelineLibrary library, IOptions<GuidelineOptions> guidelines, TimeProvider time)
{
    /// <summary>Largest answer submission read, in bytes.</summary>
    private const int MaxSubmissionBytes = 64 * 1024;

    /// <summary>Deepest JSON answer submission read: <c>{"answers": {linkId: value}}</c> needs two levels.</summary>
    private const int MaxDepth = 8;

    public IResult Page(string token)
    {
        if (Resolve(token) is not { } form)
        {
            return Gone();
        }

        var prefilled = DocumentationPrompt.Prefilled(form.Questionnaire, form.RuleResult, form.Record.PatientId, Today());
        var html = DocumentationForm.Render(form.Session, form.Policy, form.Rule, form.Questionnaire, prefilled, form.Finding, CardBuilder.StudyName(form.Session.Order, library));
        return Results.Content(html, "text/html; charset=utf-8");
    }

    public async Task<IResult> SubmitAsync(string token, HttpRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (Resolve(token) is not { } form)
        {
            return Gone();
        }

        var answers = await ReadAnswersAsync(request, cancellationToken);
        if (answers is null)
        {
            return Results.Problem(detail: "answers must be a JSON object {\"answers\": {linkId: value}} or a form post", statusCode: StatusCodes.Status400BadRequest);
        }

        var prefilled = DocumentationPrompt.Prefilled(form.Questionnaire, form.RuleResult, form.Record.PatientId, Today());
        var completed = Completed(form, prefilled, answers);
        var record = form.Record with { QuestionnaireResponses = [.. form.Record.QuestionnaireResponses, completed] };
        var finding = Appropriateness.Evaluate(record, [form.Session.Order], library, guidelines.Value.PayerRoutes)
            .First(f => f.PolicyId == form.Policy.Id);
        return Results.Json(DocumentationForm.Result(finding, completed));
    }

    /// <summary>The Questionnaire behind a canonical URL <c>/fhir/Questionnaire/{policy}.{rule}</c>, for the EHR or a DTR client.</summary>
    public IResult Questionnaire(string id, string baseUrl)
    {
        var dot = id.IndexOf('.', StringComparison.Ordinal);
        var policy = dot < 0 ? null : library.Policies.FirstOrDefault(p => p.Id == id[..dot]);
        var rule = policy?.Rules.FirstOrDefault(r => r.Id == id[(dot + 1)..]);
        if (policy is null || rule is null)
        {
            return Results.Problem(detail: $"no Questionnaire has id '{id}'", statusCode: StatusCodes.Status404NotFound);
        }

        var region = rule.Regions.FirstOrDefault() ?? "lumbar";
        return Results.Content(FhirJson.Serialize(DocumentationPrompt.Questionnaire(policy, rule, library.Catalog, region, baseUrl)), "application/fhir+json");
    }

    private sealed record ResolvedForm(FormSession Session, PatientRecord Record, Policy Policy, Rule Rule, Questionnaire Questionnaire, Finding Finding, RuleResult RuleResult);

    private ResolvedForm? Resolve(string token)
    {
        if (sessions.Find(token) is not { } session ||
            library.Policies.FirstOrDefault(p => p.Id == session.PolicyId) is not { } policy ||
            policy.Rules.FirstOrDefault(r => r.Id == session.RuleId) is not { } rule)
        {
            return null;
        }

        var record = session.Record.Restore();
        var finding = Appropriateness.Evaluate(record, [session.Order], library, guidelines.Value.PayerRoutes).First(f => f.PolicyId == policy.Id);
        var ruleResult = finding.Trace.FirstOrDefault(r => r.Rule.Id == rule.Id) ?? new RuleResult(rule, Facts.Truth.Unknown, false, []);
        var region = CardBuilder.RegionOf(session.Order, library) ?? "lumbar";
        return new ResolvedForm(session, record, policy, rule, DocumentationPrompt.Questionnaire(policy, rule, library.Catalog, region, session.BaseUrl), finding, ruleResult);
    }

    private static QuestionnaireResponse Completed(ResolvedForm form, QuestionnaireResponse prefilled, Dictionary<string, string> answers)
    {
        var auto = (prefilled.Item ?? []).ToDictionary(i => i.LinkId!, i => i.Answer?.FirstOrDefault()?.ValueBoolean, StringComparer.Ordinal);
        var items = new List<QuestionnaireResponseItem>();
        foreach (var item in form.Questionnaire.Item ?? [])
        {
            if (item.LinkId is not { } linkId || !answers.TryGetValue(linkId, out var text) || Answer(item.Type, text) is not { } answer)
            {
                continue;
            }

            var origin = !auto.TryGetValue(linkId, out var recorded) ? "manual" : recorded == answer.ValueBoolean ? "auto" : "override";
            items.Add(new QuestionnaireResponseItem
            {
                LinkId = linkId,
                Text = item.Text,
                Answer = [answer with { Extension = [new Extension { Url = DocumentationPrompt.InformationOrigin, Extension = [new Extension { Url = "source", ValueCode = origin }] }] }],
            });
        }

        return prefilled with
        {
            Id = $"form-{form.Session.Token[..8]}",
            Status = "completed",
            Author = new Reference { ReferenceText = form.Session.UserId },
            Item = items.Count == 0 ? null : items,
        };
    }

    private static QuestionnaireResponseAnswer? Answer(string? type, string text) => type switch
    {
        "decimal" when decimal.TryParse(text, NumberStyles.Number, CultureInfo.InvariantCulture, out var number) => new QuestionnaireResponseAnswer { ValueDecimal = number },
        "choice" when text.Length > 0 => new QuestionnaireResponseAnswer { ValueCoding = new Coding { Code = text } },
        "boolean" or null when text is "yes" or "true" => new QuestionnaireResponseAnswer { ValueBoolean = true },
        "boolean" or null when text is "no" or "false" => new QuestionnaireResponseAnswer { ValueBoolean = false },
        _ => null,
    };

    private static async Task<Dictionary<string, string>?> ReadAnswersAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        if (request.ContentLength > MaxSubmissionBytes)
        {
            return null;
        }

        if (request.HasFormContentType)
        {
            var form = await request.ReadFormAsync(cancellationToken);
            return form.Where(f => f.Value.Count > 0).ToDictionary(f => f.Key, f => f.Value.ToString(), StringComparer.Ordinal);
        }

        // Bounded also when no Content-Length is sent; then held to the rules of JSON from outside (StrictJson): a
        // repeated answer key would break ToDictionary below, and a bad \u escape would throw at GetString.
        var body = await Hooks.BoundedBody.ReadAsync(request, MaxSubmissionBytes, cancellationToken);
        if (body is null || !System.Text.Unicode.Utf8.IsValid(body) || StrictJson.FirstInvalidEscape(body, MaxDepth) is not null)
        {
            return null;
        }

        try
        {
            using var document = JsonDocument.Parse(body, StrictJson.Options(MaxDepth));
            if (!document.RootElement.TryGetProperty("answers", out var answers) || answers.ValueKind != JsonValueKind.Object)
            {
                return null;
            }

            return answers.EnumerateObject().ToDictionary(
                p => p.Name,
                p => p.Value.ValueKind switch
                {
                    JsonValueKind.True => "yes",
                    JsonValueKind.False => "no",
                    JsonValueKind.Number => p.Value.GetRawText(),
                    JsonValueKind.String => p.Value.GetString() ?? string.Empty,
                    _ => string.Empty,
                },
                StringComparer.Ordinal);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private string Today() => time.GetUtcNow().ToString("yyyy-MM-dd'T'HH:mm:ssK", CultureInfo.InvariantCulture);

    private static IResult Gone() =>
        Results.Problem(detail: "this documentation link is unknown or has expired; sign the order again to get a new one", statusCode: StatusCodes.Status404NotFound);
}
