using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using ImagingCds.Scenarios;
using ImagingCds.Tests.Support;
using Microsoft.Playwright;

namespace ImagingCds.Tests.Cards;

/// <summary>
/// The documentation form in a real browser: the hook's card links to it, a clinician answers the open questions with
/// the keyboard, and the page shows the new verdict. With <c>UPDATE_DOCS=1</c> the tests also rewrite the screenshots
/// under <c>docs/screenshots/</c>.
/// </summary>
public sealed class DocumentationFormBrowserTests(BrowserFixture browser) : IClassFixture<BrowserFixture>
{
    private const string ServiceUrl = "cds-services/spine-mri-appropriateness";

    // A 60-year-old with an acute lumbar injury: EviCore SP-6.2 needs a high-risk feature (age over 60, midline
    // tenderness or a high-energy mechanism) and the record shows none, so the verdict is needs-documentation; both
    // open questions answered "Yes" meet SP-6.2.
    private const string ScenarioFile = "fhir-fixtures/scenarios/evicore-cigna-spine/evicore-sp-6.2-lumbar-injury-age-60.yaml";

    private static readonly byte[] PngSignature = [0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A];

    /// <summary>Describes the focused element: what Tab reached, and whether it belongs to an open question.</summary>
    private const string FocusedScript = """
        () => {
          const e = document.activeElement;
          const set = e && e.closest('fieldset');
          return { tag: e ? e.tagName : '', type: e && e.type || '', name: e && e.name || '', value: e && e.value || '',
                   open: !!(set && set.classList.contains('open')) };
        }
        """;

    [Fact]
    public async Task DocumentationForm_AnswerOpenQuestions_VerdictChanges()
    {
        var formUrl = DocumentationLink(await PostHookAsync());
        await using var context = await browser.NewContextAsync();
        var page = await context.NewPageAsync();

        var response = await page.GotoAsync(formUrl);

        Assert.Equal((int)HttpStatusCode.OK, response?.Status);
        Assert.Equal("needs-documentation", await page.Locator("#current-verdict").InnerTextAsync());
        Assert.True(await page.Locator("fieldset:not(.open) input:checked").CountAsync() > 0, "the form shows no answer prefilled from the record");
        await AssertEveryInputLabelledAsync(page);
        var openQuestions = await page.EvaluateAsync<string[]>(
            "() => Array.from(document.querySelectorAll('fieldset.open:not([hidden])'), f => f.dataset.link)");
        Assert.NotEmpty(openQuestions);
        await KeepScreenshotAsync("form-before.png", await page.ScreenshotAsync(new PageScreenshotOptions { FullPage = true }));

        var answered = await AnswerOpenQuestionsYesByKeyboardAsync(page);
        await page.Keyboard.PressAsync("Enter");
        await page.Locator("#result").WaitForAsync(new LocatorWaitForOptions { State = WaitForSelectorState.Visible });

        Assert.Equal(openQuestions, answered);
        Assert.Equal("appropriate", await page.Locator("#verdict").InnerTextAsync());
        Assert.Equal("appropriate", await page.Locator("#current-verdict").InnerTextAsync());
        Assert.StartsWith("Meets SP-6.2", await page.Locator("#summary").InnerTextAsync(), StringComparison.Ordinal);
        var questionnaireResponse = JsonNode.Parse(await page.Locator("#qr").TextContentAsync() ?? "null")!;
        Assert.Equal("QuestionnaireResponse", questionnaireResponse["resourceType"]?.GetValue<string>());
        Assert.Equal("completed", questionnaireResponse["status"]?.GetValue<string>());
        var items = questionnaireResponse["item"]!.AsArray();
        foreach (var linkId in answered)
        {
            var item = Assert.Single(items, i => i?["linkId"]?.GetValue<string>() == linkId);
            Assert.True(item!["answer"]![0]!["valueBoolean"]!.GetValue<bool>(), $"{linkId} was answered Yes");
        }

        await KeepScreenshotAsync("form-after.png", await page.ScreenshotAsync(new PageScreenshotOptions { FullPage = true }));
    }

    [Fact]
    public async Task DocumentationForm_UnknownToken_Shows404Page()
    {
        await using var context = await browser.NewContextAsync();
        var page = await context.NewPageAsync();

        var response = await page.GotoAsync(new Uri(browser.BaseAddress, "forms/AAAAAAAAAAAAAAAAAAAAAA").ToString());

        Assert.Equal((int)HttpStatusCode.NotFound, response?.Status);
        Assert.Contains("unknown or has expired", await page.Locator("body").InnerTextAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task DocumentationForm_ExpiredToken_Shows404Page()
    {
        var formUrl = DocumentationLink(await PostHookAsync());
        await using var context = await browser.NewContextAsync();
        var page = await context.NewPageAsync();
        browser.AdvanceClock(TimeSpan.FromMinutes(30)); // the default time-to-live; a link is valid strictly before it ends

        var response = await page.GotoAsync(formUrl);

        Assert.Equal((int)HttpStatusCode.NotFound, response?.Status);
        Assert.Contains("unknown or has expired", await page.Locator("body").InnerTextAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task HookCard_RenderedAsAnEhrShowsIt_ShowsEveryLinkAndSuggestion()
    {
        var card = await PostHookAsync();
        await using var context = await browser.NewContextAsync();
        var page = await context.NewPageAsync();

        await page.SetContentAsync(CardPage(card));

        Assert.Equal("warning", card["indicator"]?.GetValue<string>());
        var links = (card["links"]?.AsArray() ?? []).Select(l => l!["label"]!.GetValue<string>()).ToArray();
        var suggestions = (card["suggestions"]?.AsArray() ?? []).Select(s => s!["label"]!.GetValue<string>()).ToArray();
        Assert.Contains(links, l => l.StartsWith("Document for Cigna", StringComparison.Ordinal));
        Assert.Equal(links, await page.Locator(".links a").AllInnerTextsAsync());
        Assert.Equal(suggestions, await page.Locator(".suggestions button").AllInnerTextsAsync());
        Assert.Equal(card["summary"]!.GetValue<string>(), await page.Locator(".summary").InnerTextAsync());
        await KeepScreenshotAsync("card.png", await page.Locator(".card").ScreenshotAsync());
    }

    /// <summary>Posts the scenario's order-sign request to the listening service and returns its one card.</summary>
    private async Task<JsonObject> PostHookAsync()
    {
        using var client = browser.CreateClient();
        var request = ScenarioFhir.Request(Scenario.Load(Repo.File(ScenarioFile)));
        using var response = await client.PostAsync(ServiceUrl, new StringContent(request.ToJsonString(), Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        return Assert.Single(body["cards"]!.AsArray())!.AsObject();
    }

    /// <summary>The card's link to the documentation form; it must point at the listening service.</summary>
    private string DocumentationLink(JsonObject card)
    {
        var link = Assert.Single(card["links"]!.AsArray(), l => l!["label"]!.GetValue<string>().StartsWith("Document for ", StringComparison.Ordinal));
        var url = link!["url"]!.GetValue<string>();
        Assert.StartsWith(new Uri(browser.BaseAddress, "forms/").ToString(), url, StringComparison.Ordinal);
        return url;
    }

    private static async Task AssertEveryInputLabelledAsync(IPage page)
    {
        var inputs = await page.EvaluateAsync<JsonElement>(
            "() => Array.from(document.querySelectorAll('input:not([type=hidden]), select, textarea'), e => ({ id: e.id, labels: e.labels ? e.labels.length : 0 }))");
        Assert.NotEmpty(inputs.EnumerateArray());
        foreach (var input in inputs.EnumerateArray())
        {
            Assert.True(input.GetProperty("labels").GetInt32() > 0, $"input #{input.GetProperty("id").GetString()} has no label");
        }
    }

    /// <summary>
    /// Walks the form with Tab; in each open question's radio group moves to "Yes" with the arrow keys and selects it
    /// with Space, until the submit button has focus. Returns the questions answered, in page order.
    /// </summary>
    /// <remarks>
    /// Tab enters a native radio group at its checked radio ("Not documented" for an open question) and leaves it at
    /// the next; choosing another radio in the group is what the arrow keys do (HTML radio group keyboard model), so
    /// Tab and Space alone cannot reach "Yes".
    /// </remarks>
    private static async Task<List<string>> AnswerOpenQuestionsYesByKeyboardAsync(IPage page)
    {
        var answered = new List<string>();
        for (var presses = 0; presses < 200; presses++)
        {
            await page.Keyboard.PressAsync("Tab");
            var focused = await page.EvaluateAsync<JsonElement>(FocusedScript);
            if (focused.GetProperty("tag").GetString() == "BUTTON")
            {
                return answered;
            }

            if (focused.GetProperty("type").GetString() != "radio" || !focused.GetProperty("open").GetBoolean())
            {
                continue;
            }

            for (var step = 0; step < 3 && focused.GetProperty("value").GetString() != "yes"; step++)
            {
                await page.Keyboard.PressAsync("ArrowLeft");
                focused = await page.EvaluateAsync<JsonElement>(FocusedScript);
            }

            Assert.Equal("yes", focused.GetProperty("value").GetString());
            await page.Keyboard.PressAsync("Space");
            answered.Add(focused.GetProperty("name").GetString()!);
        }

        Assert.Fail("Tab never reached the submit button");
        return answered;
    }

    /// <summary>A plain rendering of one CDS Hooks card, as an EHR shows it: indicator, summary, detail, source, links, suggestions.</summary>
    private static string CardPage(JsonObject card)
    {
        static string E(string? text) => WebUtility.HtmlEncode(text ?? string.Empty);
        var indicator = card["indicator"]?.GetValue<string>() ?? "info";
        var html = new StringBuilder()
            .Append("<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Card</title><style>")
            .Append("body{font:14px/1.45 system-ui,sans-serif;margin:0;padding:16px;background:#eef1f5;color:#1b1b1b}")
            .Append(".card{max-width:760px;background:#fff;border:1px solid #c9ced6;border-left:6px solid #d08a00;border-radius:6px;padding:12px 16px}")
            .Append(".card.info{border-left-color:#2f5ea8}.card.critical{border-left-color:#b3261e}")
            .Append(".indicator{display:inline-block;font-size:12px;font-weight:600;text-transform:uppercase;padding:1px 8px;border-radius:10px;background:#fbe7c0;color:#6b4500;margin-right:8px}")
            .Append(".summary{font-size:16px}.detail{white-space:pre-wrap;font:13px/1.45 ui-monospace,monospace;background:#f6f7f9;border-radius:4px;padding:8px;margin:10px 0}")
            .Append(".source{color:#555;font-size:13px;margin:6px 0}.links{margin:6px 0;padding-left:18px}a{color:#2f5ea8}")
            .Append(".suggestions button{font:inherit;margin:4px 6px 0 0;padding:5px 12px;border-radius:5px;border:1px solid #2a4d8f;background:#fff;color:#2a4d8f}")
            .Append("</style></head><body><article class=\"card ").Append(E(indicator)).Append("\">")
            .Append("<div><span class=\"indicator\">").Append(E(indicator)).Append("</span><strong class=\"summary\">")
            .Append(E(card["summary"]?.GetValue<string>())).Append("</strong></div>")
            .Append("<pre class=\"detail\">").Append(E(card["detail"]?.GetValue<string>())).Append("</pre>")
            .Append("<p class=\"source\">Source: <a href=\"#\">").Append(E(card["source"]?["label"]?.GetValue<string>())).Append("</a></p><ul class=\"links\">");
        foreach (var link in card["links"]?.AsArray() ?? [])
        {
            html.Append("<li><a href=\"#\">").Append(E(link?["label"]?.GetValue<string>())).Append("</a></li>");
        }

        html.Append("</ul><div class=\"suggestions\">");
        foreach (var suggestion in card["suggestions"]?.AsArray() ?? [])
        {
            html.Append("<button type=\"button\">").Append(E(suggestion?["label"]?.GetValue<string>())).Append("</button>");
        }

        return html.Append("</div></article></body></html>").ToString();
    }

    /// <summary>Checks the bytes are a PNG and, with <c>UPDATE_DOCS=1</c>, writes them to <c>docs/screenshots/</c>.</summary>
    private static async Task KeepScreenshotAsync(string name, byte[] png)
    {
        Assert.True(png.AsSpan().StartsWith(PngSignature), $"{name} is not a PNG");
        if (Environment.GetEnvironmentVariable("UPDATE_DOCS") != "1")
        {
            return;
        }

        var path = Repo.File(Path.Combine("docs", "screenshots", name));
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        await File.WriteAllBytesAsync(path, png);
    }
}
