using System.Text.Json.Nodes;
using ImagingCds.Hooks;
using ImagingCds.Tests.Support;

namespace ImagingCds.Tests.Hooks;

public sealed class DraftOrdersTests
{
    /// <summary>The CPT codes DESIGN.md puts in scope ("Which orders").</summary>
    private static readonly IReadOnlySet<string> SpineMriCpt = new HashSet<string>(StringComparer.Ordinal)
    {
        "72141", "72142", "72146", "72147", "72148", "72149", "72156", "72157", "72158",
    };

    private static readonly DateOnly Today = new(2024, 6, 1);

    [Fact]
    public void InScope_CptBesideEhrLocalCode_IsFound()
    {
        var orders = InScope(Some.SpineMriOrder("sr-1", "72148"));

        var order = Assert.Single(orders);
        Assert.Equal("72148", order.Cpt);
        Assert.Equal("ServiceRequest/sr-1", order.Reference);
        Assert.Equal("sr-1", order.Request.Id);
    }

    [Fact]
    public void InScope_CptCodingFirstOrLast_IsFound()
    {
        var cptFirst = Some.ServiceRequest("a", "draft", null,
            Some.Coding(Some.CptSystem, "72141"), Some.Coding("http://loinc.org", "36547-5"));
        var cptLast = Some.ServiceRequest("b", "draft", null,
            Some.Coding("urn:oid:1.2.3", "X1"), Some.Coding("http://loinc.org", "36547-5"), Some.Coding(Some.CptSystem, "72158"));

        var orders = InScope(cptFirst, cptLast);

        Assert.Equal(["72141", "72158"], orders.Select(o => o.Cpt));
    }

    [Theory]
    [InlineData("72141")]
    [InlineData("72142")]
    [InlineData("72146")]
    [InlineData("72147")]
    [InlineData("72148")]
    [InlineData("72149")]
    [InlineData("72156")]
    [InlineData("72157")]
    [InlineData("72158")]
    public void InScope_EverySpineMriCpt_IsInScope(string cpt) =>
        Assert.Equal(cpt, Assert.Single(InScope(Some.SpineMriOrder(cpt: cpt))).Cpt);

    [Theory]
    [InlineData("73721")]
    [InlineData("70551")]
    [InlineData("72100")]
    [InlineData("72159")]
    public void InScope_OtherCpt_IsIgnored(string cpt) =>
        Assert.Empty(InScope(Some.SpineMriOrder(cpt: cpt)));

    [Fact]
    public void InScope_SpineCodeInAnotherSystem_IsIgnored()
    {
        var order = Some.ServiceRequest("sr-1", "draft", null,
            Some.Coding("http://loinc.org", "72148"), Some.Coding("urn:oid:1.2.840.114350", "72148"));

        Assert.Empty(InScope(order));
    }

    [Fact]
    public void InScope_OrderWithoutCode_IsIgnored()
    {
        var order = Some.SpineMriOrder();
        order.Remove("code");

        Assert.Empty(InScope(order));
    }

    [Theory]
    [InlineData("draft")]
    [InlineData("active")]
    [InlineData("on-hold")]
    public void InScope_AnyStatus_IsInScope(string status) =>
        Assert.Single(InScope(Some.SpineMriOrder(status: status)));

    [Theory]
    [InlineData("2024-05-17", 2024, 5, 17)]
    [InlineData("2024-05-17T23:30:00-05:00", 2024, 5, 17)]
    [InlineData("2024-05-17T00:10:00+10:00", 2024, 5, 17)]
    public void InScope_AuthoredOn_IsTheEvaluationDate(string authoredOn, int year, int month, int day) =>
        Assert.Equal(new DateOnly(year, month, day), Assert.Single(InScope(Some.SpineMriOrder(authoredOn: authoredOn))).EvaluationDate);

    [Theory]
    [InlineData(null)]
    [InlineData("not a date")]
    public void InScope_NoUsableAuthoredOn_EvaluatesAsOfToday(string? authoredOn) =>
        Assert.Equal(Today, Assert.Single(InScope(Some.SpineMriOrder(authoredOn: authoredOn))).EvaluationDate);

    [Fact]
    public void InScope_UnrelatedResourceTypes_AreIgnored()
    {
        var medication = new JsonObject
        {
            ["resourceType"] = "MedicationRequest",
            ["id"] = "m1",
            ["medicationCodeableConcept"] = new JsonObject { ["coding"] = new JsonArray(Some.Coding(Some.CptSystem, "72148")) },
        };
        var procedure = Some.SpineMriOrder("p1");
        procedure["resourceType"] = "Procedure";
        var unknown = Some.SpineMriOrder("n1");
        unknown["resourceType"] = "NutritionOrder";

        var orders = InScope(medication, procedure, unknown, Some.SpineMriOrder("sr-9"));

        Assert.Equal(["ServiceRequest/sr-9"], orders.Select(o => o.Reference));
    }

    [Fact]
    public void InScope_EntriesWithoutResource_AreSkipped()
    {
        var bundle = Some.Bundle("collection", Some.SpineMriOrder("sr-2"));
        bundle["entry"]!.AsArray().Insert(0, new JsonObject { ["fullUrl"] = "urn:uuid:1" });
        bundle["entry"]!.AsArray().Insert(0, "not an entry");

        var orders = DraftOrders.InScope(Some.Element(bundle), SpineMriCpt, Today);

        Assert.Equal("ServiceRequest/sr-2", Assert.Single(orders).Reference);
    }

    [Theory]
    [InlineData("""{"resourceType":"Bundle","type":"collection"}""")]
    [InlineData("""{"resourceType":"Bundle","entry":{}}""")]
    [InlineData("""{"resourceType":"Bundle","entry":[]}""")]
    public void InScope_NoEntries_IsEmpty(string bundle) =>
        Assert.Empty(DraftOrders.InScope(Some.Element(bundle), SpineMriCpt, Today));

    [Fact]
    public void InScope_OrderWithoutId_GetsAPositionalReference()
    {
        var order = Some.SpineMriOrder();
        order.Remove("id");

        var orders = InScope(Some.SpineMriOrder("first", cpt: "73721"), order);

        Assert.Equal("ServiceRequest/draft-2", Assert.Single(orders).Reference);
    }

    [Fact]
    public void InScope_Order_KeepsTheOriginalJsonForEchoing()
    {
        var order = Some.SpineMriOrder();
        order["priority"] = "urgent";
        order["_status"] = new JsonObject { ["extension"] = new JsonArray(new JsonObject { ["url"] = "u", ["valueString"] = "v" }) };

        var found = Assert.Single(InScope(order));

        Assert.True(JsonNode.DeepEquals(order, JsonNode.Parse(found.Original.GetRawText())));
    }

    [Fact]
    public void InScope_SeveralOrders_KeepsTheirOrder()
    {
        var orders = InScope(Some.SpineMriOrder("c", "72141"), Some.SpineMriOrder("x", "73721"), Some.SpineMriOrder("l", "72148"));

        Assert.Equal(["ServiceRequest/c", "ServiceRequest/l"], orders.Select(o => o.Reference));
    }

    private static IReadOnlyList<DraftOrder> InScope(params JsonObject[] resources) =>
        DraftOrders.InScope(Some.Element(Some.Bundle("collection", resources)), SpineMriCpt, Today);
}
