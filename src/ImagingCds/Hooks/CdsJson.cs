using System.Text.Json.Nodes;

namespace ImagingCds.Hooks;

/// <summary>CDS Hooks JSON hygiene: what a reviewer checks first in every response.</summary>
public static class CdsJson
{
    /// <summary>
    /// Removes <c>null</c>, <c>""</c>, <c>[]</c> and <c>{}</c> values at every depth (DESIGN.md), repeating
    /// upward so an object emptied by pruning goes too. The top-level <c>cards</c> array is kept even when empty.
    /// </summary>
    public static JsonObject PruneResponse(JsonObject response)
    {
        ArgumentNullException.ThrowIfNull(response);
        Prune(response);
        response["cards"] ??= new JsonArray();
        return response;
    }

    /// <summary>Prunes a node in place; returns true when the node itself is now empty and should be removed.</summary>
    public static bool Prune(JsonNode? node)
    {
        switch (node)
        {
            case null:
                return true;
            case JsonObject obj:
                foreach (var key in obj.Select(p => p.Key).ToArray())
                {
                    if (Prune(obj[key]))
                    {
                        obj.Remove(key);
                    }
                }

                return obj.Count == 0;
            case JsonArray array:
                for (var i = array.Count - 1; i >= 0; i--)
                {
                    if (Prune(array[i]))
                    {
                        array.RemoveAt(i);
                    }
                }

                return array.Count == 0;
            case JsonValue value:
                return value.GetValueKind() == System.Text.Json.JsonValueKind.Null ||
                       (value.GetValueKind() == System.Text.Json.JsonValueKind.String && value.GetValue<string>().Length == 0);
            default:
                return false;
        }
    }
}
