using System.Text.Json.Nodes;
using Xunit.Sdk;

namespace ImagingCds.Tests.Support;

/// <summary>The hygiene assertion must fail on what it claims to catch, or the endpoint tests prove nothing.</summary>
public sealed class CdsHygieneTests
{
    [Theory]
    [InlineData("""{"cards":[{"summary":null}]}""")]
    [InlineData("""{"cards":[{"summary":""}]}""")]
    [InlineData("""{"cards":[{"links":[]}]}""")]
    [InlineData("""{"cards":[{"source":{}}]}""")]
    [InlineData("""{"cards":[],"systemActions":[]}""")]
    [InlineData("""{"cards":[{"extension":{"appropriateness":[{"missing":[]}]}}]}""")]
    [InlineData("""{}""")]
    public void AssertClean_NullOrEmptyAnywhere_Fails(string json) =>
        Assert.ThrowsAny<XunitException>(() => CdsHygiene.AssertClean(JsonNode.Parse(json)));

    [Theory]
    [InlineData("""{"cards":[]}""")]
    [InlineData("""{"cards":[{"summary":"s","indicator":"info","source":{"label":"L"}}],"systemActions":[{"type":"update"}]}""")]
    public void AssertClean_CleanResponse_Passes(string json) =>
        CdsHygiene.AssertClean(JsonNode.Parse(json));

    [Theory]
    [InlineData("""[]""")]
    [InlineData("""{"systemActions":[{"type":"update"}]}""")]
    [InlineData("""{"cards":{}}""")]
    public void AssertCdsResponse_NotAnObjectWithCardsArray_Fails(string json) =>
        Assert.ThrowsAny<XunitException>(() => CdsHygiene.AssertCdsResponse(json));

    [Theory]
    [InlineData("""{"cards":[{"summary":"s","indicator":"info","source":{"label":"L"}}]}""")]
    [InlineData("""{"cards":[{"uuid":"u","summary":"s","indicator":"urgent","source":{"label":"L"}}]}""")]
    [InlineData("""{"cards":[{"uuid":"u","indicator":"info","source":{"label":"L"}}]}""")]
    [InlineData("""{"cards":[{"uuid":"u","summary":"s","indicator":"info"}]}""")]
    [InlineData("""{"cards":[{"uuid":"u","summary":"s","indicator":"info","source":{"label":"L"},"links":[{"label":"p","url":"/policies/x","type":"absolute"}]}]}""")]
    [InlineData("""{"cards":[{"uuid":"u","summary":"s","indicator":"info","source":{"label":"L"},"suggestions":[{"label":"x"}]}]}""")]
    [InlineData("""{"cards":[{"uuid":"u","summary":"s","indicator":"info","source":{"label":"L"},"extension":{"appropriateness":[{"verdict":"maybe"}]}}]}""")]
    [InlineData("""{"cards":[],"systemActions":[{"type":"update"}]}""")]
    public void AssertCards_CardOffCdsHooksShape_Fails(string json) =>
        Assert.ThrowsAny<XunitException>(() => CdsHygiene.AssertCards(JsonNode.Parse(json)!.AsObject()));

    [Fact]
    public void AssertCards_SummaryOf140Characters_Fails()
    {
        var json = $$$"""{"cards":[{"uuid":"u","summary":"{{{new string('s', 140)}}}","indicator":"info","source":{"label":"L"}}]}""";

        Assert.ThrowsAny<XunitException>(() => CdsHygiene.AssertCards(JsonNode.Parse(json)!.AsObject()));
    }

    [Theory]
    [InlineData("""{"cards":[]}""")]
    [InlineData("""{"cards":[{"uuid":"u","summary":"s","indicator":"warning","source":{"label":"L","topic":{"code":"t"}},"links":[{"label":"p","url":"https://x/p","type":"absolute"}],"suggestions":[{"uuid":"v","label":"x","actions":[{"type":"update","resource":{"resourceType":"ServiceRequest"}}]}],"extension":{"appropriateness":[{"verdict":"needs-documentation"}]}}],"systemActions":[{"type":"update","resource":{"resourceType":"ServiceRequest"}}]}""")]
    public void AssertCards_CardsOfCdsHooksShape_Pass(string json) =>
        CdsHygiene.AssertCards(JsonNode.Parse(json)!.AsObject());
}
