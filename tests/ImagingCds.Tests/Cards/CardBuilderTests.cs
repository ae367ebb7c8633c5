using System.Text.Json;
using System.Text.Json.Nodes;
using ImagingCds.Cards;
using ImagingCds.Facts;
using ImagingCds.Guidelines;
using ImagingCds.Hooks;
using ImagingCds.Record;
using ImagingCds.Tests.Support;

namespace ImagingCds.Tests.Cards;

public sealed class CardBuilderTests
{
    private const string Base = "https://cds.example.org";
    private static readonly DateOnly Day = new(2026, 11, 20);
    private static readonly Lazy<FactCatalog> Catalog = new(() =>
        FactCatalog.Load(Repo.File("guidelines/facts"), Terminology.Load(Repo.File("guidelines/terminology"))));

    private static FactTest Test(string fact, params string[] choices) => new(fact, null, null, null, null, choices, null, null) { Key = fact };

    private static Rule Exclusion(string id, Predicate when, OrderSuggestion suggest) =>
        new(id, RuleKind.Exclusion, $"Exclusion {id}", "X-1", [], when, [], null, null, 1) { Suggest = suggest };

    private static Rule Indication(string id, Predicate when, OrderSuggestion? suggest = null) =>
        new(id, RuleKind.Indication, $"Indication {id}", "I-1", [], when, [], null, null, 1) { Suggest = suggest };

    private static GuidelineLibrary Library(params Rule[] rules) => new(Catalog.Value,
        [new Policy("test-policy", "Test Payer", "Spine MRI", "3", "2026-01-01", "seed.txt",
            new HashSet<string> { "72148", "72149", "72158" }, new Dictionary<string, Definition>(), rules, "test.yaml")]);

    /// <summary>A draft order with elements the service does not model, to prove they survive.</summary>
    private static DraftOrder Order(string cpt)
    {
        var json = Some.SpineMriOrder(cpt: cpt, authoredOn: "2026-11-20");
        json["note"] = new JsonArray(new JsonObject { ["text"] = "Pt prefers afternoon slot" });
        json["extension"] = new JsonArray(new JsonObject { ["url"] = "http://ehr.example.org/ext/priority-flag", ["valueBoolean"] = true });
        json["_authoredOn"] = new JsonObject { ["extension"] = new JsonArray(new JsonObject { ["url"] = "http://ehr.example.org/ext/tz", ["valueString"] = "America/Chicago" }) };
        var bundle = JsonSerializer.SerializeToElement(Some.Bundle("collection", json));
        return DraftOrders.InScope(bundle, new HashSet<string> { cpt }, Day).Single();
    }

    private static JsonObject Respond(GuidelineLibrary library, DraftOrder order, IReadOnlyDictionary<(string, string), string>? forms = null)
    {
        var record = new RecordBuilder(Some.PatientId).Build();
        var findings = Appropriateness.Evaluate(record, [order], library, []);
        return CdsJson.PruneResponse(CardBuilder.Build("hook-1", [order], findings, library, Base, forms ?? new Dictionary<(string, string), string>()));
    }

    private static JsonArray Actions(JsonObject response, string label) =>
        response["cards"]![0]!["suggestions"]!.AsArray().Single(s => (string?)s!["label"] == label)!["actions"]!.AsArray();

    [Fact]
    public void Build_ContrastSuggestion_UpdatesTheDraftKeepingEveryOtherElement()
    {
        var library = Library(Indication("any", Test("foot_drop")),
            Exclusion("contrast-only", Test("order_contrast", "with"), new OrderSuggestion("Order it without contrast", "without", [], null, Recommended: true)));
        var order = Order("72149");
        var response = Respond(library, order);

        var action = Actions(response, "Order it without contrast").Single()!.AsObject();
        Assert.Equal("update", (string?)action["type"]);
        var updated = action["resource"]!.AsObject();
        Assert.Equal("72148", (string?)updated["code"]!["coding"]![0]!["code"]);
        var original = JsonNode.Parse(order.Original.GetRawText())!.AsObject();
        foreach (var (key, value) in original.Where(p => p.Key != "code"))
        {
            Assert.True(JsonNode.DeepEquals(value, updated[key]), $"element '{key}' changed");
        }

        Assert.True((bool?)response["cards"]![0]!["suggestions"]![0]!["isRecommended"]);
    }

    [Fact]
    public void Build_RegionSuggestion_UpdatesToTheFirstRegionAndCreatesTheOthers()
    {
        var library = Library(Indication("any", Test("foot_drop")),
            Exclusion("lumbar-for-myelopathy", Test("order_region", "lumbar"), new OrderSuggestion("Image the cervical and thoracic spine", null, ["cervical", "thoracic"], null, false)));
        var actions = Actions(Respond(library, Order("72148")), "Image the cervical and thoracic spine");

        Assert.Equal(["update", "create"], actions.Select(a => (string?)a!["type"]));
        Assert.Equal("72141", (string?)actions[0]!["resource"]!["code"]!["coding"]![0]!["code"]); // cervical, same (no) contrast
        Assert.Equal("72146", (string?)actions[1]!["resource"]!["code"]!["coding"]![0]!["code"]); // thoracic
        Assert.Equal("draft", (string?)actions[1]!["resource"]!["status"]);
    }

    [Fact]
    public void Build_StudyFirstSuggestion_CreatesThatOrder()
    {
        var library = Library(Indication("xray-first", Test("xray_done_since_episode"),
            new OrderSuggestion("Order thoracic spine x-rays first", null, [], "cpt|72070|X-ray thoracic spine, 2 views", false)));
        var response = Respond(library, Order("72148"));

        Assert.Equal("needs-documentation", (string?)response["cards"]![0]!["extension"]!["appropriateness"]![0]!["verdict"]);
        var action = Actions(response, "Order thoracic spine x-rays first").Single()!;
        Assert.Equal("create", (string?)action["type"]);
        Assert.Equal("72070", (string?)action["resource"]!["code"]!["coding"]![0]!["code"]);
        Assert.Equal($"Patient/{Some.PatientId}", (string?)action["resource"]!["subject"]!["reference"]);
    }

    [Fact]
    public void Build_SystemAction_CarriesThePamaRatingAndEveryOriginalElement()
    {
        var library = Library(Indication("foot-drop", Test("foot_drop")));
        var order = Order("72148");
        var response = Respond(library, order);

        var action = response["systemActions"]!.AsArray().Single()!.AsObject();
        Assert.Equal("update", (string?)action["type"]);
        var resource = action["resource"]!.AsObject();
        var rating = resource["extension"]!.AsArray().Single(e => (string?)e!["url"] == CardBuilder.PamaRatingUrl)!;
        Assert.Equal("no-criteria-apply", (string?)rating["valueCodeableConcept"]!["coding"]![0]!["code"]); // needs documentation
        var original = JsonNode.Parse(order.Original.GetRawText())!.AsObject();
        var withoutRating = resource.DeepClone().AsObject();
        withoutRating["extension"]!.AsArray().RemoveAt(withoutRating["extension"]!.AsArray().Count - 1);
        Assert.True(JsonNode.DeepEquals(original, withoutRating), "the echoed order lost or changed an element");
    }

    [Theory]
    [InlineData("appropriate", "appropriate")]
    [InlineData("not-appropriate", "not-appropriate")]
    [InlineData("needs-documentation", "no-criteria-apply")]
    public void Build_PamaRating_MapsEachVerdict(string verdict, string rating)
    {
        // foot_drop is documented by the order's own reason code, so "appropriate" / "not-appropriate" can be forced.
        var library = verdict switch
        {
            "appropriate" => Library(Indication("always", Test("order_region", "lumbar"))),
            "not-appropriate" => Library(Indication("never", Test("order_region", "cervical"))),
            _ => Library(Indication("open", Test("foot_drop"))),
        };
        var response = Respond(library, Order("72148"));
        Assert.Equal(verdict, (string?)response["cards"]![0]!["extension"]!["appropriateness"]![0]!["verdict"]);
        Assert.Equal(rating, (string?)response["systemActions"]![0]!["resource"]!["extension"]!.AsArray().Last()!["valueCodeableConcept"]!["coding"]![0]!["code"]);
    }

    [Fact]
    public void Build_NeedsDocumentation_LinksTheFormAndOffersAQuestionnaireTask()
    {
        var library = Library(Indication("open", Test("foot_drop")));
        var order = Order("72148");
        var response = Respond(library, order, new Dictionary<(string, string), string> { [(order.Reference, "test-policy")] = $"{Base}/forms/abc" });
        var card = response["cards"]![0]!;

        Assert.Equal("warning", (string?)card["indicator"]);
        Assert.Contains(card["links"]!.AsArray(), l => (string?)l!["url"] == $"{Base}/forms/abc" && (string?)l["type"] == "absolute");
        var task = card["suggestions"]!.AsArray().Single()!["actions"]![0]!["resource"]!;
        Assert.Equal("Task", (string?)task["resourceType"]);
        Assert.Equal("complete-questionnaire", (string?)task["code"]!["coding"]![0]!["code"]);
        Assert.Equal($"{Base}/fhir/Questionnaire/test-policy.open|3", (string?)task["input"]![0]!["valueCanonical"]);
        CdsHygiene.AssertClean(response);
    }

    [Fact]
    public void Build_Card_HasUuidSourceTopicAndShortSummary()
    {
        var response = Respond(Library(Indication("always", Test("order_region", "lumbar"))), Order("72148"));
        var card = response["cards"]![0]!;
        Assert.True(Guid.TryParse((string?)card["uuid"], out _));
        Assert.Equal("info", (string?)card["indicator"]);
        Assert.True(((string?)card["summary"])!.Length < 140);
        Assert.Equal("Test Payer: Spine MRI", (string?)card["source"]!["label"]);
        Assert.Equal("spine-mri-appropriateness", (string?)card["source"]!["topic"]!["code"]);
        Assert.Contains(card["links"]!.AsArray(), l => ((string?)l!["url"])!.EndsWith("/policies/test-policy#always", StringComparison.Ordinal));
    }
}
