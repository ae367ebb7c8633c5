using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using ImagingCds.Fhir;
using ImagingCds.Guidelines;

namespace ImagingCds.Cards;

/// <summary>
/// The documentation form page: plain server-rendered HTML plus a little JavaScript, keyboard-usable, every input
/// labelled. It shows the order, the policy, the answers the record already gives (editable) and the open questions;
/// on submit the service re-evaluates and the page shows the new verdict and the completed QuestionnaireResponse.
/// </summary>
public static class DocumentationForm
{
    public static string Render(FormSession session, Policy policy, Rule rule, Questionnaire questionnaire, QuestionnaireResponse prefilled, Finding current, string study)
    {
        ArgumentNullException.ThrowIfNull(session);
        ArgumentNullException.ThrowIfNull(policy);
        ArgumentNullException.ThrowIfNull(rule);
        ArgumentNullException.ThrowIfNull(questionnaire);
        ArgumentNullException.ThrowIfNull(prefilled);
        ArgumentNullException.ThrowIfNull(current);
        var known = (prefilled.Item ?? []).ToDictionary(i => i.LinkId ?? string.Empty, StringComparer.Ordinal);
        var needed = current.Missing.ToDictionary(m => m.Key, m => m.Wanted, StringComparer.Ordinal);
        var html = new StringBuilder();
        html.Append("<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width\">")
            .Append("<title>Documentation: ").Append(E(policy.Payer)).Append(' ').Append(E(rule.Section)).Append("</title><style>")
            .Append("body{font:15px/1.5 system-ui,sans-serif;max-width:52rem;margin:1.5rem auto;padding:0 1rem;color:#1b1b1b}")
            .Append("fieldset{border:1px solid #bbb;border-radius:6px;margin:.7rem 0;padding:.5rem .8rem}legend{font-weight:600;padding:0 .3rem}")
            .Append(".record{font-size:.85rem;color:#285e28;margin:.2rem 0}.open legend::after{content:' (open)';color:#8a5300;font-weight:400}.needed{border-color:#8a5300;border-width:2px}.needed legend::after{content:' (needed to meet this criterion)'}")
            .Append("label{margin-right:1rem}button{font:inherit;padding:.45rem 1rem;border-radius:6px;border:1px solid #2a4d8f;background:#2f5ea8;color:#fff}")
            .Append("button:focus,input:focus,select:focus{outline:3px solid #f0a500;outline-offset:2px}#result{margin-top:1rem;padding:.6rem;border-radius:6px;background:#f1f4f9}")
            .Append("[hidden]{display:none}</style></head><body><main>")
            .Append("<h1>Document for ").Append(E(policy.Payer)).Append("</h1>")
            .Append("<p><strong>").Append(E(study)).Append("</strong> (CPT ").Append(E(session.Order.Cpt)).Append("), evaluated for ")
            .Append(session.Order.EvaluationDate.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)).Append(".</p>")
            .Append("<p>").Append(E(policy.Title)).Append(", version ").Append(E(policy.Version)).Append(" — <strong>").Append(E(rule.Section))
            .Append(": ").Append(E(rule.Title)).Append("</strong>. Current verdict: <strong id=\"current-verdict\">").Append(E(current.Verdict.Wire())).Append("</strong>.</p>")
            .Append("<p>Answers already shown by the record are filled in; change them if they are wrong. Questions marked “needed” are what the chart lacks for this criterion. Leave a question at “Not documented” if the chart does not say.</p>")
            .Append("<form id=\"doc-form\" method=\"post\" novalidate>");
        var index = 0;
        foreach (var item in questionnaire.Item ?? [])
        {
            var id = $"q{index++}";
            var linkId = item.LinkId ?? string.Empty;
            known.TryGetValue(linkId, out var answered);
            var value = answered?.Answer?.FirstOrDefault()?.ValueBoolean;
            var enable = item.EnableWhen?.FirstOrDefault()?.Question;
            html.Append("<fieldset id=\"").Append(id).Append("\" data-link=\"").Append(E(linkId)).Append('"')
                .Append(answered is null ? needed.TryGetValue(linkId, out var wanted) ? $" class=\"open needed\" data-wanted=\"{(wanted ? "yes" : "no")}\"" : " class=\"open\"" : string.Empty)
                .Append(enable is null ? string.Empty : $" data-enable-when=\"{E(enable)}\"").Append("><legend id=\"").Append(id).Append("-q\">")
                .Append(E(item.Text ?? linkId)).Append("</legend>");
            if (answered?.Answer?.FirstOrDefault()?.Extension?.FirstOrDefault()?.Extension?.FirstOrDefault(e => e.Url == "evidence")?.ValueString is { } evidence)
            {
                html.Append("<p class=\"record\">From the record: ").Append(E(evidence)).Append("</p>");
            }

            switch (item.Type)
            {
                case "decimal":
                    html.Append("<label for=\"").Append(id).Append("-n\">Value</label><input id=\"").Append(id).Append("-n\" name=\"").Append(E(linkId))
                        .Append("\" type=\"number\" step=\"any\" aria-describedby=\"").Append(id).Append("-q\">");
                    break;
                case "choice":
                    html.Append("<label for=\"").Append(id).Append("-c\">Answer</label><select id=\"").Append(id).Append("-c\" name=\"").Append(E(linkId)).Append("\"><option value=\"\">Not documented</option>");
                    foreach (var option in item.AnswerOption ?? [])
                    {
                        html.Append("<option>").Append(E(option.ValueCoding?.Code ?? option.ValueString ?? string.Empty)).Append("</option>");
                    }

                    html.Append("</select>");
                    break;
                default:
                    foreach (var (choice, label, isChecked) in new[] { ("yes", "Yes", value == true), ("no", "No", value == false), ("", "Not documented", value is null) })
                    {
                        var inputId = $"{id}-{(choice.Length == 0 ? "unknown" : choice)}";
                        html.Append("<input type=\"radio\" id=\"").Append(inputId).Append("\" name=\"").Append(E(linkId)).Append("\" value=\"").Append(choice).Append('"')
                            .Append(isChecked ? " checked" : string.Empty).Append("><label for=\"").Append(inputId).Append("\">").Append(label).Append("</label>");
                    }

                    break;
            }

            html.Append("</fieldset>");
        }

        html.Append("<button type=\"submit\">Re-check with these answers</button></form>")
            .Append("<section id=\"result\" aria-live=\"polite\" hidden><h2>New verdict: <span id=\"verdict\"></span></h2><p id=\"summary\"></p>")
            .Append("<details><summary>Completed QuestionnaireResponse (for the EHR to keep)</summary><pre id=\"qr\"></pre></details></section>")
            .Append("</main><script>").Append(Script).Append("</script></body></html>");
        return html.ToString();
    }

    /// <summary>Submits the answers as JSON and shows the new verdict; hides questions whose enabling answer is not "yes".</summary>
    private const string Script = """
        const form = document.getElementById('doc-form');
        function refresh() {
          for (const set of form.querySelectorAll('fieldset[data-enable-when]')) {
            const on = form.querySelector(`input[name="${CSS.escape(set.dataset.enableWhen)}"][value="yes"]`);
            const show = !on || on.checked;
            set.hidden = !show;
            for (const input of set.querySelectorAll('input,select')) input.disabled = !show;
          }
        }
        form.addEventListener('change', refresh);
        refresh();
        form.addEventListener('submit', async (event) => {
          event.preventDefault();
          const answers = {};
          for (const [name, value] of new FormData(form)) if (value !== '') answers[name] = value;
          const response = await fetch(location.pathname, { method: 'POST', headers: { 'Content-Type': 'application/json', 'Accept': 'application/json' }, body: JSON.stringify({ answers }) });
          const body = await response.json();
          document.getElementById('verdict').textContent = body.verdict ?? 'error';
          document.getElementById('current-verdict').textContent = body.verdict ?? 'error';
          document.getElementById('summary').textContent = body.summary ?? body.detail ?? '';
          document.getElementById('qr').textContent = JSON.stringify(body.questionnaireResponse ?? {}, null, 2);
          const result = document.getElementById('result');
          result.hidden = false;
          result.focus();
        });
        """;

    /// <summary>The JSON answer to a submission: the new verdict in words and the completed QuestionnaireResponse.</summary>
    public static JsonObject Result(Finding finding, QuestionnaireResponse completed)
    {
        ArgumentNullException.ThrowIfNull(finding);
        var summary = finding.Verdict switch
        {
            Verdict.Appropriate => $"Meets {string.Join("; ", finding.Criteria)}.",
            Verdict.NotAppropriate => $"Not appropriate: {string.Join("; ", finding.Criteria)}.",
            Verdict.NeedsDocumentation => $"Still to document: {string.Join("; ", finding.Missing.Select(m => m.Text))}.",
            _ => finding.Error ?? "Could not be evaluated.",
        };
        return new JsonObject
        {
            ["verdict"] = finding.Verdict.Wire(),
            ["summary"] = summary,
            ["criteria"] = new JsonArray(finding.Criteria.Select(c => (JsonNode?)c).ToArray()),
            ["missing"] = new JsonArray(finding.Missing.Select(m => (JsonNode?)m.Text).ToArray()),
            ["questionnaireResponse"] = JsonNode.Parse(FhirJson.Serialize(completed)),
        };
    }

    private static string E(string text) => WebUtility.HtmlEncode(text);
}
