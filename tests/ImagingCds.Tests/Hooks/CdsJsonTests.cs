using System.Text.Json.Nodes;
using ImagingCds.Hooks;

namespace ImagingCds.Tests.Hooks;

public sealed class CdsJsonTests
{
    [Theory]
    [InlineData("""{"a":null,"b":1}""", """{"b":1}""")]
    [InlineData("""{"a":"","b":"x"}""", """{"b":"x"}""")]
    [InlineData("""{"a":[],"b":[1]}""", """{"b":[1]}""")]
    [InlineData("""{"a":{},"b":{"c":1}}""", """{"b":{"c":1}}""")]
    [InlineData("""{"a":[null,"",1,[],{}]}""", """{"a":[1]}""")]
    [InlineData("""{"a":0,"b":false,"c":" "}""", """{"a":0,"b":false,"c":" "}""")]
    public void Prune_NullOrEmptyValues_AreRemoved(string json, string expected)
    {
        var node = JsonNode.Parse(json);

        CdsJson.Prune(node);

        AssertJson(expected, node);
    }

    [Fact]
    public void Prune_EmptyValuesAtDepth_AreRemovedAndEmptiedParentsCascade()
    {
        var node = JsonNode.Parse("""
            {"cards":[{"summary":"s","detail":"","links":[],"source":{"label":"L","topic":{"code":null,"display":""}},
                       "suggestions":[{"label":"x","actions":[{"resource":{"extension":[{}]}}]}],
                       "extension":{"appropriateness":[{"order":"ServiceRequest/1","missing":[]}]}}],
             "systemActions":[{"resource":{"meta":{"tag":[{"code":""}]}}}]}
            """);

        CdsJson.Prune(node);

        AssertJson("""
            {"cards":[{"summary":"s","source":{"label":"L"},"suggestions":[{"label":"x"}],
                       "extension":{"appropriateness":[{"order":"ServiceRequest/1"}]}}]}
            """, node);
    }

    [Fact]
    public void Prune_WhollyEmptyTree_ReportsItselfEmpty()
    {
        var node = JsonNode.Parse("""{"a":{"b":[{"c":null}],"d":""}}""");

        var empty = CdsJson.Prune(node);

        Assert.True(empty);
        AssertJson("{}", node);
    }

    [Theory]
    [InlineData("0")]
    [InlineData("false")]
    [InlineData("\"x\"")]
    [InlineData("[1]")]
    public void Prune_NonEmptyValue_IsNotEmpty(string json) =>
        Assert.False(CdsJson.Prune(JsonNode.Parse(json)));

    [Fact]
    public void Prune_Null_IsEmpty() =>
        Assert.True(CdsJson.Prune(null));

    [Fact]
    public void PruneResponse_NoCards_KeepsAnEmptyCardsArray()
    {
        var response = CdsJson.PruneResponse(new JsonObject());

        AssertJson("""{"cards":[]}""", response);
    }

    [Fact]
    public void PruneResponse_CardsEmptyAndEmptySystemActions_KeepsOnlyCards()
    {
        var response = CdsJson.PruneResponse(new JsonObject { ["cards"] = new JsonArray(), ["systemActions"] = new JsonArray() });

        AssertJson("""{"cards":[]}""", response);
    }

    [Fact]
    public void PruneResponse_CardsThatPruneToNothing_LeavesEmptyCards()
    {
        var response = CdsJson.PruneResponse(JsonNode.Parse("""{"cards":[{"summary":"","links":[]}]}""")!.AsObject());

        AssertJson("""{"cards":[]}""", response);
    }

    [Fact]
    public void PruneResponse_CardsWithContent_AreKept()
    {
        var response = CdsJson.PruneResponse(JsonNode.Parse("""{"cards":[{"summary":"Meets criteria","indicator":"info","detail":null}]}""")!.AsObject());

        AssertJson("""{"cards":[{"summary":"Meets criteria","indicator":"info"}]}""", response);
    }

    private static void AssertJson(string expected, JsonNode? actual) =>
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(expected), actual), actual?.ToJsonString());
}
