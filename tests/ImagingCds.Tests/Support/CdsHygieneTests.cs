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
}
