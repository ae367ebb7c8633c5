using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace ImagingCds.Tests.Support;

/// <summary>A request body bent by <see cref="JsonMutator"/>, and what was done to it (for the failure message).</summary>
internal sealed record MutatedBody(byte[] Bytes, IReadOnlyList<string> Mutations);

/// <summary>
/// A structure-aware, seeded mutator of JSON documents: deletes, duplicates (elements and keys), retypes and splices
/// nodes, swaps values for <c>null</c>, <c>""</c>, <c>[]</c>, <c>{}</c>, huge numbers, long strings, deep nesting,
/// wrong <c>resourceType</c>s, invalid or extreme dates and invalid UTF-8 / UTF-16 escapes, and truncates bodies.
/// </summary>
/// <remarks>
/// Deterministic: the same <see cref="Random"/> seed and input give the same bytes. What <see cref="JsonNode"/> cannot
/// hold (duplicate keys, raw invalid bytes, numbers beyond double, nesting past the writer's depth) goes in as a
/// placeholder string that is replaced by raw bytes after writing. Not thread safe (one instance per case).
/// </remarks>
internal sealed class JsonMutator(Random random)
{
    private const string Marker = "@@fuzz-";

    private static readonly string[] ResourceTypes =
    [
        "Bundle", "Patient", "ServiceRequest", "Condition", "Observation", "OperationOutcome", "Coverage", "Procedure",
        "QuestionnaireResponse", "Encounter", "Medication", "Parameters", "Binary", "patient", "Bundle ", "", "\u0000",
    ];

    // Invalid, malformed, partial and extreme FHIR dates: edges of DateOnly and of FHIR's regular expression.
    private static readonly string[] Dates =
    [
        "2024-13-01", "2024-02-30", "2024-00-10", "0000-01-01", "0001-01-01", "0001-01", "0001", "9999", "9999-12",
        "9999-12-31", "9999-12-31T23:59:59+14:00", "0001-01-01T00:00:00-14:00", "2024-05-17T25:61:61Z",
        "2024-05-17T10:00:00+25:00", "2024-05-17T", "2024-05-17 10:00", "20240517", "2024-5-7", "-2024-01-01",
        "+2024-01-01", "12345-01-01", "yesterday", "2024-05-17T10:00:00.123456789012Z", "2024-W20", "2024-05-17Z", " 2024-05-17",
    ];

    private static readonly string[] HugeNumbers =
    [
        "1e309", "-1e309", "1e-400", "99999999999999999999999999999999999999", "-99999999999999999999999999999999999999",
        "1.7976931348623157e308", "4.9e-324", "-0", "0.0000000000000000000000000000000000000001", "2147483648", "9223372036854775808",
        "123456789012345678901234567890.123456789",
    ];

    // Raw JSON string tokens: lone and reversed surrogates, NUL, bad escapes, and raw bytes that are not UTF-8.
    private static readonly byte[][] BadStrings =
    [
        Encoding.ASCII.GetBytes("\"\\uD800\""), Encoding.ASCII.GetBytes("\"x\\uDC00y\""), Encoding.ASCII.GetBytes("\"\\uDBFF\\uDBFF\""),
        Encoding.ASCII.GetBytes("\"\\uDC00\\uD800\""), Encoding.ASCII.GetBytes("\"\\u0000\""), Encoding.ASCII.GetBytes("\"\\u12\""),
        Encoding.ASCII.GetBytes("\"\\x41\""), Encoding.ASCII.GetBytes("\"\\uZZZZ\""),
        [(byte)'"', 0xC3, 0x28, (byte)'"'], [(byte)'"', 0xFF, 0xFE, (byte)'"'], [(byte)'"', 0xED, 0xA0, 0x80, (byte)'"'],
        [(byte)'"', 0xF4, 0x90, 0x80, 0x80, (byte)'"'], [(byte)'"', 0xE2, 0x82, (byte)'"'], [(byte)'"', 0x01, 0x1F, (byte)'"'],
    ];

    private static readonly string[] OddStrings =
    [
        " ", "\t", "null", "true", "0", "-1", "72148", "72148 ", " 72148", "Patient/", "Patient/../Patient/x", "ServiceRequest/",
        "urn:uuid:", "http://www.ama-assn.org/go/cpt", "😀\u200b\u202e", "\u0000", "'; DROP TABLE issued_cards; --",
        "<script>alert(1)</script>", "{{context.patientId}}", "%00", "a/b?c=d#e",
    ];

    private static readonly HashSet<string> DateKeys = new(StringComparer.Ordinal)
    {
        "authoredOn", "birthDate", "onsetDateTime", "abatementDateTime", "recordedDate", "effectiveDateTime", "performedDateTime",
        "occurrenceDateTime", "start", "end", "authored", "issued", "date", "deceasedDateTime", "valueDateTime",
    };

    private readonly Dictionary<string, byte[]> _raw = new(StringComparer.Ordinal);
    private readonly List<string> _applied = [];

    /// <summary>Applies <paramref name="count"/> mutations to a copy of <paramref name="seed"/>; truncates the bytes now and then.</summary>
    public MutatedBody Mutate(JsonNode seed, int count)
    {
        ArgumentNullException.ThrowIfNull(seed);
        _raw.Clear();
        _applied.Clear();
        var root = seed.DeepClone();
        for (var i = 0; i < count; i++)
        {
            root = MutateOnce(root);
        }

        var bytes = Write(root);
        if (random.Next(20) == 0 && bytes.Length > 1)
        {
            var keep = random.Next(bytes.Length);
            _applied.Add($"truncate to {keep} of {bytes.Length} bytes");
            bytes = bytes[..keep];
        }

        return new MutatedBody(bytes, [.. _applied]);
    }

    private JsonNode MutateOnce(JsonNode root)
    {
        var nodes = Nodes(root);
        var region = random.Next(6) switch
        {
            0 => "$.context",
            1 or 2 => "$.context.draftOrders",
            3 => "$.prefetch",
            _ => "$",
        };
        var inRegion = nodes.Where(n => n.Path.StartsWith(region, StringComparison.Ordinal)).ToList();
        var candidates = inRegion.Count > 0 ? inRegion : nodes;
        var target = candidates[random.Next(candidates.Count)];

        switch (random.Next(20))
        {
            case 0 or 1 or 2:
                return Delete(root, target);
            case 3 or 4:
                return Duplicate(root, target);
            case 5 or 6:
                return Replace(root, target, Retype(target.Node), "retype");
            case 7 or 8 or 9 or 10:
                return Replace(root, target, Special(), "swap");
            case 11 or 12:
                var typed = nodes.Where(n => n.Node is JsonObject o && o.ContainsKey("resourceType")).ToList();
                var resource = typed.Count > 0 ? typed[random.Next(typed.Count)] : target;
                return resource.Node is JsonObject r
                    ? Set(r, "resourceType", random.Next(5) == 0 ? Special() : JsonValue.Create(Pick(ResourceTypes)), resource.Path)
                    : Replace(root, target, Special(), "swap");
            case 13 or 14:
                var dated = nodes.Where(n => n.Key is { } k && DateKeys.Contains(k)).ToList();
                var date = dated.Count > 0 ? dated[random.Next(dated.Count)] : target;
                return Replace(root, date, JsonValue.Create(Pick(Dates)), "date");
            case 15 when random.Next(3) == 0 && target.Parent is JsonObject owner:
                // A bad string as a property name: parsers decode names too (to match them, or to find repeats).
                owner.Remove(target.Key!);
                owner[Placeholder(Pick(BadStrings))] = target.Node;
                _applied.Add($"bad-name {target.Path}");
                return root;
            case 15:
                var strings = nodes.Where(n => n.Node is JsonValue v && v.GetValueKind() == JsonValueKind.String).ToList();
                var text = strings.Count > 0 ? strings[random.Next(strings.Count)] : target;
                return Replace(root, text, Raw(Pick(BadStrings)), "bad-string");
            case 16 or 17:
                var donor = nodes[random.Next(nodes.Count)];
                return Replace(root, target, donor.Node?.DeepClone(), $"splice {donor.Path} into");
            default:
                return Replace(root, target, JsonValue.Create(Pick(OddStrings)), "odd-string");
        }
    }

    private JsonNode Delete(JsonNode root, Located target)
    {
        switch (target.Parent)
        {
            case JsonObject obj:
                obj.Remove(target.Key!);
                break;
            case JsonArray array:
                array.RemoveAt(target.Index);
                break;
            default:
                return root;
        }

        _applied.Add($"delete {target.Path}");
        return root;
    }

    private JsonNode Duplicate(JsonNode root, Located target)
    {
        switch (target.Parent)
        {
            case JsonObject obj:
                // JsonObject refuses a second "key": write a placeholder key and put the real name back in the bytes.
                var placeholder = Placeholder(JsonSerializer.SerializeToUtf8Bytes(target.Key));
                obj[placeholder] = target.Node?.DeepClone();
                break;
            case JsonArray array:
                for (var copies = 1 + (random.Next(8) == 0 ? random.Next(200) : 0); copies > 0; copies--)
                {
                    array.Insert(target.Index, target.Node?.DeepClone());
                }

                break;
            default:
                return root;
        }

        _applied.Add($"duplicate {target.Path}");
        return root;
    }

    private JsonNode Replace(JsonNode root, Located target, JsonNode? value, string what)
    {
        _applied.Add($"{what} {target.Path} := {Describe(value)}");
        switch (target.Parent)
        {
            case JsonObject obj:
                obj[target.Key!] = value;
                return root;
            case JsonArray array:
                array[target.Index] = value;
                return root;
            default:
                return value ?? Raw("null"u8.ToArray());
        }
    }

    private JsonNode Set(JsonObject obj, string key, JsonNode? value, string path)
    {
        _applied.Add($"set {path}.{key} := {Describe(value)}");
        obj[key] = value;
        return obj.Root;
    }

    private JsonNode? Retype(JsonNode? node) => node switch
    {
        null => random.Next(2) == 0 ? JsonValue.Create("null") : JsonValue.Create(0),
        JsonObject obj => random.Next(3) switch
        {
            0 => new JsonArray(obj.DeepClone()),
            1 => JsonValue.Create("[object]"),
            _ => JsonValue.Create(1),
        },
        JsonArray array => random.Next(3) switch
        {
            0 => array.Count > 0 ? array[0]?.DeepClone() : new JsonObject(),
            1 => new JsonObject { ["0"] = array.Count > 0 ? array[0]?.DeepClone() : null },
            _ => JsonValue.Create(array.Count),
        },
        JsonValue value => value.GetValueKind() switch
        {
            JsonValueKind.String => decimal.TryParse(value.GetValue<string>(), NumberStyles.Float, CultureInfo.InvariantCulture, out var number)
                ? JsonValue.Create(number)
                : random.Next(2) == 0 ? JsonValue.Create(true) : new JsonArray(value.DeepClone()),
            JsonValueKind.Number => JsonValue.Create(value.ToJsonString()),
            JsonValueKind.True or JsonValueKind.False => random.Next(2) == 0 ? JsonValue.Create(value.ToJsonString()) : JsonValue.Create(1),
            _ => JsonValue.Create("null"),
        },
        _ => null,
    };

    private JsonNode? Special() => random.Next(11) switch
    {
        0 => null,
        1 => JsonValue.Create(string.Empty),
        2 => new JsonArray(),
        3 => new JsonObject(),
        4 => Raw(Encoding.ASCII.GetBytes(Pick(HugeNumbers))),
        5 => JsonValue.Create(new string((char)('a' + random.Next(26)), Pick([300, 5_000, 70_000, 200_000]))),
        6 => Raw(Nesting(Pick([10, 40, 62, 63, 64, 65, 300, 20_000]))),
        7 => JsonValue.Create(random.Next(2) == 0),
        8 => JsonValue.Create(random.Next(2) == 0 ? 0 : -1),
        9 => new JsonArray(null, JsonValue.Create(string.Empty), new JsonObject(), new JsonArray()),
        _ => new JsonObject { ["resourceType"] = Pick(ResourceTypes) },
    };

    /// <summary><paramref name="depth"/> levels of arrays or objects, with a value at the bottom.</summary>
    private byte[] Nesting(int depth)
    {
        var objects = random.Next(2) == 0;
        var text = new StringBuilder(depth * 8);
        for (var i = 0; i < depth; i++)
        {
            text.Append(objects ? "{\"a\":" : "[");
        }

        text.Append('1');
        for (var i = 0; i < depth; i++)
        {
            text.Append(objects ? '}' : ']');
        }

        return Encoding.ASCII.GetBytes(text.ToString());
    }

    private JsonValue Raw(byte[] bytes) => JsonValue.Create(Placeholder(bytes));

    private string Placeholder(byte[] bytes)
    {
        var key = $"{Marker}{_raw.Count}@@";
        _raw[key] = bytes;
        return key;
    }

    /// <summary>Writes the document, then swaps each placeholder string token (quotes included) for its raw bytes.</summary>
    private byte[] Write(JsonNode root)
    {
        var bytes = Encoding.UTF8.GetBytes(root.ToJsonString());
        if (_raw.Count == 0)
        {
            return bytes;
        }

        var output = new List<byte>(bytes.Length);
        var marker = Encoding.ASCII.GetBytes("\"" + Marker);
        for (var i = 0; i < bytes.Length; i++)
        {
            if (bytes[i] == '"' && bytes.AsSpan(i).StartsWith(marker))
            {
                var end = bytes.AsSpan(i + 1).IndexOf((byte)'"') + i + 1;
                if (_raw.TryGetValue(Encoding.ASCII.GetString(bytes, i + 1, end - i - 1), out var raw))
                {
                    output.AddRange(raw);
                    i = end;
                    continue;
                }
            }

            output.Add(bytes[i]);
        }

        return [.. output];
    }

    private T Pick<T>(IReadOnlyList<T> items) => items[random.Next(items.Count)];

    private string Describe(JsonNode? value)
    {
        if (value is JsonValue v && v.GetValueKind() == JsonValueKind.String && v.GetValue<string>() is var s)
        {
            if (_raw.TryGetValue(s, out var raw))
            {
                return raw.Length > 40 ? $"raw[{raw.Length} bytes]" : $"raw {Convert.ToHexString(raw)}";
            }

            return s.Length > 40 ? $"string[{s.Length}]" : JsonSerializer.Serialize(s);
        }

        var json = value?.ToJsonString() ?? "null";
        return json.Length > 60 ? json[..60] + "…" : json;
    }

    /// <summary>Every node but the root's own slot, with where it sits.</summary>
    private static List<Located> Nodes(JsonNode root)
    {
        var nodes = new List<Located> { new(null, null, -1, root, "$") };
        Walk(root, "$", nodes);
        return nodes;
    }

    private static void Walk(JsonNode? node, string path, List<Located> nodes)
    {
        switch (node)
        {
            case JsonObject obj:
                foreach (var (key, value) in obj.ToArray())
                {
                    var child = $"{path}.{key}";
                    nodes.Add(new Located(obj, key, -1, value, child));
                    Walk(value, child, nodes);
                }

                break;
            case JsonArray array:
                for (var i = 0; i < array.Count; i++)
                {
                    var child = $"{path}[{i}]";
                    nodes.Add(new Located(array, null, i, array[i], child));
                    Walk(array[i], child, nodes);
                }

                break;
        }
    }

    /// <summary>A node and its slot: the parent object's key or the parent array's index (no parent: the root).</summary>
    private sealed record Located(JsonNode? Parent, string? Key, int Index, JsonNode? Node, string Path);
}
