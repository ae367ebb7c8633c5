using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using ImagingCds.Feedback;
using ImagingCds.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace ImagingCds.Tests.Feedback;

public sealed class FeedbackEndpointsTests(FeedbackHost host) : IClassFixture<FeedbackHost>
{
    private const string Card = "6f1c2b7e-3d4a-4b8e-9c1d-2e3f4a5b6c7d";
    private const string Suggestion = "0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d";

    /// <summary>Every malformed body, the code it must be refused with, and the path it must name.</summary>
    public static TheoryData<string, string, string, string> BadBodies() => new()
    {
        { "not-json", """{"feedback": [""", "malformed-json", "" },
        { "invalid-utf8", "{\"feedback\": [], \"x\": \"\u00ff\"}", "malformed-json", "" },
        { "too-deep", new string('[', 40) + new string(']', 40), "malformed-json", "" },
        { "lone-surrogate", $$$$"""{"feedback": [{"card": "{{{{Card}}}}", "outcome": "accepted", "overrideReason": {"userComment": "\uD800"}}]}""", "malformed-json", "" },
        { "array-body", "[]", "not-an-object", "" },
        { "no-feedback", """{"feedbacks": []}""", "missing-feedback", "feedback" },
        { "feedback-not-array", """{"feedback": {"card": "x"}}""", "missing-feedback", "feedback" },
        { "item-not-object", """{"feedback": ["accepted"]}""", "invalid-feedback-item", "feedback[0]" },
        { "missing-card", """{"feedback": [{"outcome": "accepted"}]}""", "missing-card", "feedback[0].card" },
        { "card-not-string", """{"feedback": [{"card": 7, "outcome": "accepted"}]}""", "missing-card", "feedback[0].card" },
        { "card-not-uuid", """{"feedback": [{"card": "card-1", "outcome": "accepted"}]}""", "invalid-card", "feedback[0].card" },
        { "missing-outcome", $$$$"""{"feedback": [{"card": "{{{{Card}}}}"}]}""", "missing-outcome", "feedback[0].outcome" },
        { "unknown-outcome", $$$$"""{"feedback": [{"card": "{{{{Card}}}}", "outcome": "ignored"}]}""", "unknown-outcome", "feedback[0].outcome" },
        { "second-item-bad", $$$$"""{"feedback": [{"card": "{{{{Card}}}}", "outcome": "accepted"}, {"card": "{{{{Card}}}}", "outcome": "Accepted"}]}""", "unknown-outcome", "feedback[1].outcome" },
        { "accepted-with-reason", $$$$"""{"feedback": [{"card": "{{{{Card}}}}", "outcome": "accepted", "overrideReason": {"reason": {"code": "x"}}}]}""", "override-reason-on-accepted", "feedback[0].overrideReason" },
        { "accepted-with-epic-reasons", $$$$"""{"feedback": [{"card": "{{{{Card}}}}", "outcome": "accepted", "overrideReasons": [{"code": "x"}]}]}""", "override-reason-on-accepted", "feedback[0].overrideReasons" },
        { "accepted-with-empty-reason-and-epic-reasons", $$$$"""{"feedback": [{"card": "{{{{Card}}}}", "outcome": "accepted", "overrideReason": {}, "overrideReasons": [{"code": "x"}]}]}""", "override-reason-on-accepted", "feedback[0].overrideReasons" },
        { "accepted-with-comment", $$$$"""{"feedback": [{"card": "{{{{Card}}}}", "outcome": "accepted", "overrideReason": {"userComment": "why"}}]}""", "override-reason-on-accepted", "feedback[0].overrideReason" },
        { "overridden-with-suggestions", $$$$"""{"feedback": [{"card": "{{{{Card}}}}", "outcome": "overridden", "acceptedSuggestions": [{"id": "{{{{Suggestion}}}}"}]}]}""", "suggestions-on-override", "feedback[0].acceptedSuggestions" },
        { "suggestions-not-array", $$$$"""{"feedback": [{"card": "{{{{Card}}}}", "outcome": "accepted", "acceptedSuggestions": {"id": "{{{{Suggestion}}}}"}}]}""", "invalid-accepted-suggestion", "feedback[0].acceptedSuggestions" },
        { "suggestion-without-id", $$$$"""{"feedback": [{"card": "{{{{Card}}}}", "outcome": "accepted", "acceptedSuggestions": [{"uuid": "{{{{Suggestion}}}}"}]}]}""", "invalid-accepted-suggestion", "feedback[0].acceptedSuggestions[0].id" },
        { "suggestion-id-not-uuid", $$$$"""{"feedback": [{"card": "{{{{Card}}}}", "outcome": "accepted", "acceptedSuggestions": [{"id": "{{{{Suggestion}}}}"}, {"id": "s-2"}]}]}""", "invalid-accepted-suggestion", "feedback[0].acceptedSuggestions[1].id" },
        { "reason-not-object", $$$$"""{"feedback": [{"card": "{{{{Card}}}}", "outcome": "overridden", "overrideReason": "patient declined"}]}""", "invalid-override-reason", "feedback[0].overrideReason" },
        { "reason-coding-without-code", $$$$"""{"feedback": [{"card": "{{{{Card}}}}", "outcome": "overridden", "overrideReason": {"reason": {"display": "Patient declined"}}}]}""", "invalid-override-reason", "feedback[0].overrideReason.reason.code" },
        { "bare-coding-without-code", $$$$"""{"feedback": [{"card": "{{{{Card}}}}", "outcome": "overridden", "overrideReason": {"system": "http://example.org"}}]}""", "invalid-override-reason", "feedback[0].overrideReason.code" },
        { "reason-system-not-text", $$$$"""{"feedback": [{"card": "{{{{Card}}}}", "outcome": "overridden", "overrideReason": {"reason": {"code": "x", "system": 1}}}]}""", "invalid-override-reason", "feedback[0].overrideReason.reason.system" },
        { "comment-not-text", $$$$"""{"feedback": [{"card": "{{{{Card}}}}", "outcome": "overridden", "overrideReason": {"userComment": ["a"]}}]}""", "invalid-override-reason", "feedback[0].overrideReason.userComment" },
        { "epic-reasons-not-array", $$$$"""{"feedback": [{"card": "{{{{Card}}}}", "outcome": "overridden", "overrideReasons": {"code": "x"}}]}""", "invalid-override-reason", "feedback[0].overrideReasons" },
        { "epic-reason-without-code", $$$$"""{"feedback": [{"card": "{{{{Card}}}}", "outcome": "overridden", "overrideReasons": [{"code": "x"}, {"display": "y"}]}]}""", "invalid-override-reason", "feedback[0].overrideReasons[1].code" },
        { "timestamp-not-a-date", $$$$"""{"feedback": [{"card": "{{{{Card}}}}", "outcome": "accepted", "outcomeTimestamp": "yesterday"}]}""", "invalid-outcome-timestamp", "feedback[0].outcomeTimestamp" },
        { "timestamp-without-zone", $$$$"""{"feedback": [{"card": "{{{{Card}}}}", "outcome": "accepted", "outcomeTimestamp": "2026-01-01T09:30:00"}]}""", "invalid-outcome-timestamp", "feedback[0].outcomeTimestamp" },
        { "timestamp-date-only", $$$$"""{"feedback": [{"card": "{{{{Card}}}}", "outcome": "accepted", "outcomeTimestamp": "2026-01-01"}]}""", "invalid-outcome-timestamp", "feedback[0].outcomeTimestamp" },
        { "timestamp-impossible", $$$$"""{"feedback": [{"card": "{{{{Card}}}}", "outcome": "accepted", "outcomeTimestamp": "2026-02-30T09:30:00Z"}]}""", "invalid-outcome-timestamp", "feedback[0].outcomeTimestamp" },
        { "timestamp-number", $$$$"""{"feedback": [{"card": "{{{{Card}}}}", "outcome": "accepted", "outcomeTimestamp": 1767225600}]}""", "invalid-outcome-timestamp", "feedback[0].outcomeTimestamp" },
    };

    [Theory]
    [MemberData(nameof(BadBodies))]
    public async Task PostFeedback_MalformedBody_Is400ProblemNamingCodeAndPath(string name, string body, string code, string path)
    {
        using var client = host.Shared.CreateClient();
        var bytes = name == "invalid-utf8" ? InvalidUtf8() : Encoding.UTF8.GetBytes(body);
        var before = (await StoredAsync(host.Shared)).Count;

        using var response = await client.PostAsync(FeedbackHost.FeedbackUrl, new ByteArrayContent(bytes) { Headers = { { "Content-Type", "application/json" } } });

        var problem = await HttpAssert.AssertProblem(response, HttpStatusCode.BadRequest, code);
        Assert.Equal(path, problem["path"]?.GetValue<string>() ?? string.Empty);
        Assert.False(string.IsNullOrEmpty(problem["detail"]?.GetValue<string>()), name);
        Assert.Equal(before, (await StoredAsync(host.Shared)).Count);
    }

    [Fact]
    public async Task PostFeedback_UnknownServiceId_Is404()
    {
        using var client = host.Shared.CreateClient();

        using var response = await client.PostAsync("/cds-services/other-service/feedback", FeedbackHost.Json(Accepted(Card)));

        var problem = await HttpAssert.AssertProblem(response, HttpStatusCode.NotFound, "unknown-service");
        Assert.Equal("serviceId", problem["path"]?.GetValue<string>());
    }

    [Fact]
    public async Task PostFeedback_BodyOver64KiB_Is413()
    {
        using var client = host.Shared.CreateClient();
        var body = Accepted(Card);
        body["padding"] = new string('x', 64 * 1024);

        using var response = await client.PostAsync(FeedbackHost.FeedbackUrl, FeedbackHost.Json(body));

        await HttpAssert.AssertProblem(response, HttpStatusCode.RequestEntityTooLarge, "body-too-large");
    }

    [Fact]
    public async Task PostFeedback_StreamedBodyOver64KiB_Is413()
    {
        using var client = host.Shared.CreateClient();
        var body = Accepted(Card);
        body["padding"] = new string('x', 100 * 1024);
        using var content = new StreamContent(new UnseekableStream(Encoding.UTF8.GetBytes(body.ToJsonString())));
        content.Headers.ContentType = new("application/json");

        using var response = await client.PostAsync(FeedbackHost.FeedbackUrl, content);

        await HttpAssert.AssertProblem(response, HttpStatusCode.RequestEntityTooLarge, "body-too-large");
    }

    [Theory]
    [InlineData("""{"feedback": {"card": 1}, "x": [[[[[[]]]]]]}""")]
    [InlineData("""{"feedback": [null]}""")]
    [InlineData("""{"feedback": [{"card": null, "outcome": null}]}""")]
    [InlineData("""{"feedback": [{"card": "6f1c2b7e-3d4a-4b8e-9c1d-2e3f4a5b6c7d", "outcome": "overridden", "overrideReasons": [null, 1, "x"]}]}""")]
    [InlineData("""{"feedback": [{"card": "6f1c2b7e-3d4a-4b8e-9c1d-2e3f4a5b6c7d", "outcome": "overridden", "overrideReason": {"reason": [], "userComment": null}}]}""")]
    [InlineData("""{"feedback": [{"card": "6f1c2b7e-3d4a-4b8e-9c1d-2e3f4a5b6c7d", "outcome": "accepted", "outcomeTimestamp": "9999-12-31T23:59:59.9999999-14:00"}]}""")]
    [InlineData("\"feedback\"")]
    [InlineData("")]
    public async Task PostFeedback_HostileBody_IsNeverA500(string body)
    {
        using var client = host.Shared.CreateClient();

        using var response = await client.PostAsync(FeedbackHost.FeedbackUrl, FeedbackHost.Json(body));

        Assert.True((int)response.StatusCode < 500, $"HTTP {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
    }

    [Fact]
    public async Task PostFeedback_SpecificationBody_Is200WithEmptyBodyAndStored()
    {
        using var service = host.Start(host.NewDatabasePath());
        using var client = service.CreateClient();
        var body = JsonNode.Parse($$$$"""
            {"feedback": [
              {"card": "{{{{Card}}}}", "outcome": "accepted", "acceptedSuggestions": [{"id": "{{{{Suggestion}}}}"}], "outcomeTimestamp": "2026-11-20T10:15:00+01:00"},
              {"card": "{{{{Card}}}}", "outcome": "overridden", "overrideReason": {"reason": {"system": "http://example.org/override", "code": "patient-declined", "display": "Patient declined"}, "userComment": "will decide next visit"}, "outcomeTimestamp": "2026-11-20T09:16:00Z"}
            ]}
            """)!;

        using var response = await client.PostAsync(FeedbackHost.FeedbackUrl, FeedbackHost.Json(body));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Empty(await response.Content.ReadAsByteArrayAsync());
        var stored = await StoredAsync(service);
        Assert.Equal(2, stored.Count);
        Assert.Equal([Guid.Parse(Suggestion)], stored[0].Item.AcceptedSuggestions);
        Assert.Equal(new DateTimeOffset(2026, 11, 20, 9, 15, 0, TimeSpan.Zero), stored[0].Item.OutcomeTimestamp);
        Assert.Equal(new ReasonCoding("patient-declined", "http://example.org/override", "Patient declined"), Assert.Single(stored[1].Item.OverrideReasons));
        Assert.Equal("will decide next visit", stored[1].Item.UserComment);
        Assert.Empty(stored[1].Entries);
    }

    [Fact]
    public async Task PostFeedback_EpicOverrideReasonsSpelling_IsAcceptedAndCounted()
    {
        using var service = host.Start(host.NewDatabasePath());
        using var client = service.CreateClient();
        var cards = await FeedbackHost.IssueCardsAsync(client, "sr-1", "sr-2", "sr-3");
        var body = JsonNode.Parse($$$$"""
            {"feedback": [
              {"card": "{{{{cards[0]}}}}", "outcome": "overridden", "overrideReasons": [{"reason": {"code": "already-imaged", "system": "urn:oid:1.2.840.114350"}, "userComment": "outside films"}]},
              {"card": "{{{{cards[1]}}}}", "outcome": "overridden", "overrideReasons": [{"code": "patient-declined", "display": "Patient declined"}, {"code": "already-imaged"}]},
              {"card": "{{{{cards[2]}}}}", "outcome": "overridden", "overrideReason": {"code": "patient-declined"}}
            ]}
            """)!;

        using var response = await client.PostAsync(FeedbackHost.FeedbackUrl, FeedbackHost.Json(body));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var summary = await FeedbackHost.SummaryAsync(client);
        Assert.Equal(3, (int)summary["overall"]!["overridden"]!);
        Assert.Equal(2, (int)summary["overall"]!["overrideReasons"]!["already-imaged"]!);
        Assert.Equal(2, (int)summary["overall"]!["overrideReasons"]!["patient-declined"]!);
    }

    [Fact]
    public async Task GetSummary_FeedbackOnCardsFromARealHookCall_CountsPerPolicyVerdictAndRule()
    {
        using var service = host.Start(host.NewDatabasePath());
        using var client = service.CreateClient();
        var cards = await FeedbackHost.IssueCardsAsync(client, "sr-1", "sr-2");
        Assert.Equal(2, cards.Count);
        var body = JsonNode.Parse($$$$"""
            {"feedback": [
              {"card": "{{{{cards[0]}}}}", "outcome": "accepted", "outcomeTimestamp": "2026-11-20T09:15:00Z"},
              {"card": "{{{{cards[1]}}}}", "outcome": "overridden", "overrideReason": {"reason": {"code": "patient-declined"}}, "outcomeTimestamp": "2026-11-20T09:16:00Z"},
              {"card": "{{{{Card}}}}", "outcome": "overridden", "outcomeTimestamp": "2026-11-20T09:17:00Z"}
            ]}
            """)!;

        using var response = await client.PostAsync(FeedbackHost.FeedbackUrl, FeedbackHost.Json(body));
        var summary = await FeedbackHost.SummaryAsync(client);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(JsonNode.Parse("""
            {
              "overall": {"accepted": 1, "overridden": 2, "overrideReasons": {"patient-declined": 1}},
              "unmatched": {"accepted": 0, "overridden": 1},
              "policies": {
                "evicore-cigna-spine": {
                  "accepted": 1, "overridden": 1, "overrideReasons": {"patient-declined": 1},
                  "verdicts": {"appropriate": {"accepted": 1, "overridden": 1, "overrideReasons": {"patient-declined": 1}}},
                  "rules": {"t-1-adult": {"accepted": 1, "overridden": 1, "overrideReasons": {"patient-declined": 1}}}
                },
                "nia-lumbar-mri": {
                  "accepted": 1, "overridden": 1, "overrideReasons": {"patient-declined": 1},
                  "verdicts": {"needs-documentation": {"accepted": 1, "overridden": 1, "overrideReasons": {"patient-declined": 1}}},
                  "rules": {"n-1-positional": {"accepted": 1, "overridden": 1, "overrideReasons": {"patient-declined": 1}}}
                }
              }
            }
            """)!.ToJsonString(), Normalized(summary));
        var stored = await StoredAsync(service);
        Assert.Equal(new CardEntry("72148", "evicore-cigna-spine", "appropriate", ["t-1-adult"]), stored[0].Entries.Single(e => e.Policy == "evicore-cigna-spine"));
    }

    [Fact]
    public async Task GetSummary_NoFeedback_IsZeroCounts()
    {
        using var service = host.Start(host.NewDatabasePath());
        using var client = service.CreateClient();

        var summary = await FeedbackHost.SummaryAsync(client);

        Assert.Equal("""{"overall":{"accepted":0,"overridden":0}}""", summary.ToJsonString());
    }

    [Fact]
    public async Task PostFeedback_SameEntryResent_IsStoredOnce()
    {
        using var service = host.Start(host.NewDatabasePath());
        using var client = service.CreateClient();
        var body = Accepted(Card, "2026-11-20T09:15:00Z");

        using var first = await client.PostAsync(FeedbackHost.FeedbackUrl, FeedbackHost.Json(body));
        using var again = await client.PostAsync(FeedbackHost.FeedbackUrl, FeedbackHost.Json(body));

        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        Assert.Single(await StoredAsync(service));
    }

    [Fact]
    public async Task PostFeedback_AfterRestart_FeedbackAndIssuedCardsSurvive()
    {
        var database = host.NewDatabasePath();
        IReadOnlyList<string> cards;
        await using (var before = host.Start(database))
        {
            using var client = before.CreateClient();
            cards = await FeedbackHost.IssueCardsAsync(client, "sr-1", "sr-2");
            using var response = await client.PostAsync(FeedbackHost.FeedbackUrl, FeedbackHost.Json(Accepted(cards[0])));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        await using var after = host.Start(database);
        using var restarted = after.CreateClient();
        using var late = await restarted.PostAsync(FeedbackHost.FeedbackUrl, FeedbackHost.Json(JsonNode.Parse($$$$"""
            {"feedback": [{"card": "{{{{cards[1]}}}}", "outcome": "overridden", "overrideReason": {"reason": {"code": "clinical-judgement"}}}]}
            """)!));
        var summary = await FeedbackHost.SummaryAsync(restarted);

        Assert.Equal(HttpStatusCode.OK, late.StatusCode);
        var policy = summary["policies"]!["evicore-cigna-spine"]!;
        Assert.Equal(1, (int)policy["accepted"]!);
        Assert.Equal(1, (int)policy["overridden"]!);
        Assert.Equal(1, (int)policy["rules"]!["t-1-adult"]!["overrideReasons"]!["clinical-judgement"]!);
        Assert.Null(summary["unmatched"]);
    }

    [Fact]
    public async Task PostFeedback_UserComment_NeverAppearsInLogs()
    {
        const string Secret = "Patient mentioned XYZZY-7731 privately";
        var logs = new LogCapture();
        using var service = host.Start(host.NewDatabasePath(), logs);
        using var client = service.CreateClient();
        var cards = await FeedbackHost.IssueCardsAsync(client, "sr-1");
        var stored = JsonNode.Parse($$$$"""
            {"feedback": [{"card": "{{{{cards[0]}}}}", "outcome": "overridden", "overrideReason": {"reason": {"code": "other"}, "userComment": "{{{{Secret}}}}"}, "outcomeTimestamp": "2026-11-20T09:15:00Z"}]}
            """)!;
        var refused = JsonNode.Parse($$$$"""
            {"feedback": [{"card": "{{{{cards[0]}}}}", "outcome": "overridden", "overrideReasons": [{"reason": {"code": "other"}, "userComment": "{{{{Secret}}}}"}], "outcomeTimestamp": "soon"}]}
            """)!;

        using var ok = await client.PostAsync(FeedbackHost.FeedbackUrl, FeedbackHost.Json(stored));
        using var bad = await client.PostAsync(FeedbackHost.FeedbackUrl, FeedbackHost.Json(refused));
        using var summary = await client.GetAsync("/feedback/summary");

        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.DoesNotContain("XYZZY", await bad.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.DoesNotContain("XYZZY", await summary.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(Secret, (await StoredAsync(service)).Single().Item.UserComment);
        Assert.Contains(logs.Events, e => e.Contains("[1100]", StringComparison.Ordinal));
        Assert.Contains(logs.Events, e => e.Contains("[1101]", StringComparison.Ordinal));
        Assert.DoesNotContain(logs.Events, e => e.Contains("XYZZY", StringComparison.Ordinal));
    }

    [Fact]
    public async Task PostFeedback_EmptyFeedbackArray_Is200AndStoresNothing()
    {
        using var service = host.Start(host.NewDatabasePath());
        using var client = service.CreateClient();

        using var response = await client.PostAsync(FeedbackHost.FeedbackUrl, FeedbackHost.Json("""{"feedback": []}"""));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Empty(await StoredAsync(service));
    }

    [Fact]
    public async Task OptionsFeedback_CorsPreflightWithAuthorization_IsAllowed()
    {
        using var client = host.Shared.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Options, FeedbackHost.FeedbackUrl);
        request.Headers.Add("Origin", "https://sandbox.cds-hooks.org");
        request.Headers.Add("Access-Control-Request-Method", "POST");
        request.Headers.Add("Access-Control-Request-Headers", "authorization,content-type");

        using var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        Assert.Equal("*", response.Headers.GetValues("Access-Control-Allow-Origin").Single());
    }

    [Fact]
    public void Start_DatabaseFolderCannotBeCreated_RefusesToStart()
    {
        var blocked = host.NewDatabasePath();
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetDirectoryName(blocked)!)!);
        File.WriteAllText(Path.GetDirectoryName(blocked)!, "a file where the folder should be");
        using var service = host.Start(blocked);

        Assert.ThrowsAny<IOException>(() => service.CreateClient());
    }

    private static JsonObject Accepted(string card, string? at = null)
    {
        var item = new JsonObject { ["card"] = card, ["outcome"] = "accepted" };
        if (at is not null)
        {
            item["outcomeTimestamp"] = at;
        }

        return new JsonObject { ["feedback"] = new JsonArray(item) };
    }

    private static async Task<List<StoredFeedback>> StoredAsync(Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactory<Program> service)
    {
        var store = service.Services.GetRequiredService<FeedbackStore>();
        var stored = new List<StoredFeedback>();
        await foreach (var entry in store.ReadAllAsync(CancellationToken.None))
        {
            stored.Add(entry);
        }

        return stored;
    }

    /// <summary>The summary with its policies in a fixed order, for comparison as text.</summary>
    private static string Normalized(JsonObject summary)
    {
        var policies = summary["policies"]!.AsObject();
        var ordered = new JsonObject();
        foreach (var name in new[] { "evicore-cigna-spine", "nia-lumbar-mri" })
        {
            ordered[name] = policies[name]?.DeepClone();
        }

        summary["policies"] = ordered;
        return summary.ToJsonString();
    }

    private static byte[] InvalidUtf8() => [.. Encoding.UTF8.GetBytes("{\"feedback\": [], \"x\": \""), 0xC3, 0x28, .. Encoding.UTF8.GetBytes("\"}")];


    /// <summary>A stream of unknown length, so the body arrives without a Content-Length.</summary>
    private sealed class UnseekableStream(byte[] bytes) : MemoryStream(bytes)
    {
        public override bool CanSeek => false;
    }
}
