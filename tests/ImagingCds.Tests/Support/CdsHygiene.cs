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

    /// <summary>
    /// The CDS Hooks 2.0 shape of every card and action (https://cds-hooks.org/specification/current/#card-attributes)
    /// plus DESIGN.md's: a <c>uuid</c> on every card and suggestion, <c>summary</c> under 140 characters, an
    /// <c>indicator</c> of info/warning/critical, <c>source.label</c>, links with label, absolute url and type, and
    /// appropriateness entries with one of the four verdicts.
    /// </summary>
    public static void AssertCards(JsonObject response)
    {
        ArgumentNullException.ThrowIfNull(response);
        var offences = new List<string>();
        var cards = response["cards"] as JsonArray ?? [];
        for (var i = 0; i < cards.Count; i++)
        {
            var at = $"$.cards[{i}]";
            if (cards[i] is not JsonObject card)
            {
                offences.Add($"{at} is not an object");
                continue;
            }

            RequireText(card, "uuid", at, offences);
            if (RequireText(card, "summary", at, offences) is { Length: >= 140 } summary)
            {
                offences.Add($"{at}.summary has {summary.Length} characters");
            }

            if (RequireText(card, "indicator", at, offences) is { } indicator && indicator is not ("info" or "warning" or "critical"))
            {
                offences.Add($"{at}.indicator is '{indicator}'");
            }

            if (card["source"] is JsonObject source)
            {
                RequireText(source, "label", $"{at}.source", offences);
            }
            else
            {
                offences.Add($"{at}.source is missing");
            }

            Each(card["suggestions"], $"{at}.suggestions", offences, (suggestion, where) =>
            {
                RequireText(suggestion, "uuid", where, offences);
                RequireText(suggestion, "label", where, offences);
                Each(suggestion["actions"], $"{where}.actions", offences, (action, place) => CheckAction(action, place, offences));
            });
            Each(card["links"], $"{at}.links", offences, (link, where) =>
            {
                RequireText(link, "label", where, offences);
                if (RequireText(link, "url", where, offences) is { } url &&
                    !(Uri.TryCreate(url, UriKind.Absolute, out var absolute) && absolute.Scheme is "https" or "http"))
                {
                    offences.Add($"{where}.url is not an absolute http(s) URL");
                }

                if (RequireText(link, "type", where, offences) is { } type && type is not ("absolute" or "smart"))
                {
                    offences.Add($"{where}.type is '{type}'");
                }
            });
            Each(card["extension"]?["appropriateness"], $"{at}.extension.appropriateness", offences, (entry, where) =>
            {
                if (RequireText(entry, "verdict", where, offences) is { } verdict &&
                    verdict is not ("appropriate" or "needs-documentation" or "not-appropriate" or "error"))
                {
                    offences.Add($"{where}.verdict is '{verdict}'");
                }
            });
        }

        Each(response["systemActions"], "$.systemActions", offences, (action, where) => CheckAction(action, where, offences));
        Assert.True(offences.Count == 0, $"CDS Hooks cards: {string.Join(", ", offences)} in {response.ToJsonString()}");
    }

    private static void CheckAction(JsonObject action, string where, List<string> offences)
    {
        var type = RequireText(action, "type", where, offences);
        if (type is not (null or "create" or "update" or "delete"))
        {
            offences.Add($"{where}.type is '{type}'");
        }

        if (type is "create" or "update" && action["resource"] is not JsonObject)
        {
            offences.Add($"{where}.resource is missing");
        }
    }

    private static string? RequireText(JsonObject parent, string name, string at, List<string> offences)
    {
        if (parent[name] is JsonValue value && value.GetValueKind() == JsonValueKind.String && value.GetValue<string>() is { Length: > 0 } text)
        {
            return text;
        }

        offences.Add($"{at}.{name} is not a non-empty string");
        return null;
    }

    private static void Each(JsonNode? node, string at, List<string> offences, Action<JsonObject, string> check)
    {
        if (node is null)
        {
            return;
        }

        if (node is not JsonArray array)
        {
            offences.Add($"{at} is not an array");
            return;
        }

        for (var i = 0; i < array.Count; i++)
        {
            if (array[i] is JsonObject item)
            {
                check(item, $"{at}[{i}]");
            }
            else
            {
                offences.Add($"{at}[{i}] is not an object");
            }
        }
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
