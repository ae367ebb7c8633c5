using System.Text.Json;
using System.Text.Json.Nodes;

namespace ImagingCds.Tests.Support;

/// <summary>Asserts the response hygiene of DESIGN.md: no <c>null</c>, <c>""</c>, <c>[]</c> or <c>{}</c> anywhere.</summary>
internal static class CdsHygiene
{
    /// <summary>Fails naming the JSON path of the first null or empty value; the top-level <c>cards</c> may be empty.</summary>
    public static void AssertClean(JsonNode? node)
    {
        var offences = new List<string>();
        Walk(node, "$", offences);
        Assert.True(offences.Count == 0, $"response hygiene: {string.Join(", ", offences)} in {node?.ToJsonString()}");
    }

    /// <summary>
    /// A CDS Hooks response a reviewer accepts: a <c>cards</c> array, nothing null or empty, and every card with a
    /// uuid, a summary under 140 characters, an info or warning indicator (never critical: a coverage matter), a source
    /// label and topic, and every suggestion with a uuid.
    /// </summary>
    public static JsonObject AssertCdsResponse(string body)
    {
        var response = Assert.IsType<JsonObject>(JsonNode.Parse(body));
        var cards = Assert.IsType<JsonArray>(response["cards"]);
        AssertClean(response);
        foreach (var card in cards.Select(c => c!.AsObject()))
        {
            Assert.True(Guid.TryParse((string?)card["uuid"], out _), "card without a uuid");
            Assert.True(((string?)card["summary"])?.Length is > 0 and < 140, $"summary length: {card["summary"]}");
            Assert.Contains((string?)card["indicator"], new[] { "info", "warning" });
            Assert.False(string.IsNullOrWhiteSpace((string?)card["source"]?["label"]), "card without source.label");
            Assert.NotNull(card["source"]?["topic"]?["code"]);
            Assert.All(card["suggestions"]?.AsArray() ?? [], s => Assert.True(Guid.TryParse((string?)s!["uuid"], out _), "suggestion without a uuid"));
        }

        return response;
    }

    private static void Walk(JsonNode? node, string path, List<string> offences)
    {
        switch (node)
        {
            case null:
                offences.Add($"{path} is null");
                break;
            case JsonObject obj:
                if (obj.Count == 0)
                {
                    offences.Add($"{path} is {{}}");
                }

                foreach (var (key, value) in obj)
                {
                    // The one allowed empty value: "cards": [] when there is nothing to say.
                    if (path == "$" && key == "cards" && value is JsonArray { Count: 0 })
                    {
                        continue;
                    }

                    Walk(value, $"{path}.{key}", offences);
                }

                break;
            case JsonArray array:
                if (array.Count == 0)
                {
                    offences.Add($"{path} is []");
                }

                for (var i = 0; i < array.Count; i++)
                {
                    Walk(array[i], $"{path}[{i}]", offences);
                }

                break;
            case JsonValue value when value.GetValueKind() == JsonValueKind.String && value.GetValue<string>().Length == 0:
                offences.Add($"{path} is \"\"");
                break;
        }
    }
}
