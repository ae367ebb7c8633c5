using System.Globalization;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace ImagingCds.Facts;

/// <summary>A data file problem: the file, the line, the item, and what is wrong.</summary>
public sealed class DataFileException(string file, long line, string item, string problem)
    : Exception($"{Path.GetFileName(file)}:{line}: {(item.Length > 0 ? item + ": " : string.Empty)}{problem}")
{
    public string File { get; } = file;

    public long Line { get; } = line;

    public string Item { get; } = item;

    public string Problem { get; } = problem;
}

/// <summary>
/// Reads YAML data files (fact catalog, terminology, policies) through YamlDotNet's node model, so every
/// error names the file and line. Mapping keys are checked: an unknown key is an error, not silently ignored.
/// </summary>
public sealed class YamlFile(string path, YamlMappingNode root)
{
    public string Path { get; } = path;

    public YamlMappingNode Root { get; } = root;

    public static YamlFile Load(string path)
    {
        try
        {
            using var reader = new StreamReader(path);
            var stream = new YamlStream();
            stream.Load(reader);
            if (stream.Documents.Count != 1 || stream.Documents[0].RootNode is not YamlMappingNode mapping)
            {
                throw new DataFileException(path, 1, string.Empty, "expected one YAML document whose top level is a mapping");
            }

            return new YamlFile(path, mapping);
        }
        catch (YamlException ex)
        {
            throw new DataFileException(path, ex.Start.Line, string.Empty, $"invalid YAML: {ex.InnerException?.Message ?? ex.Message}");
        }
    }

    public DataFileException Error(YamlNode node, string item, string problem) => new(Path, node.Start.Line, item, problem);

    /// <summary>Throws when the mapping has a key outside <paramref name="allowed"/>.</summary>
    public void OnlyKeys(YamlMappingNode node, string item, params string[] allowed)
    {
        foreach (var key in node.Children.Keys)
        {
            if (key is not YamlScalarNode { Value: { } name } || !allowed.Contains(name))
            {
                throw Error(key, item, $"unknown key '{key}' (allowed: {string.Join(", ", allowed)})");
            }
        }
    }

    public static YamlNode? Get(YamlMappingNode node, string key) =>
        node.Children.TryGetValue(new YamlScalarNode(key), out var value) ? value : null;

    public string? OptionalString(YamlMappingNode node, string key, string item) =>
        Get(node, key) switch
        {
            null => null,
            YamlScalarNode { Value: var v } => v,
            var other => throw Error(other, item, $"'{key}' must be a text value"),
        };

    public string RequiredString(YamlMappingNode node, string key, string item) =>
        OptionalString(node, key, item) is { Length: > 0 } value ? value : throw Error(node, item, $"'{key}' is required");

    public decimal? OptionalNumber(YamlMappingNode node, string key, string item)
    {
        var text = OptionalString(node, key, item);
        if (text is null)
        {
            return null;
        }

        return decimal.TryParse(text, NumberStyles.Number, CultureInfo.InvariantCulture, out var value)
            ? value
            : throw Error(Get(node, key)!, item, $"'{key}' must be a number, got '{text}'");
    }

    public YamlSequenceNode? OptionalSequence(YamlMappingNode node, string key, string item) =>
        Get(node, key) switch
        {
            null => null,
            YamlSequenceNode seq => seq,
            var other => throw Error(other, item, $"'{key}' must be a list"),
        };

    public IReadOnlyList<string> StringList(YamlMappingNode node, string key, string item)
    {
        if (Get(node, key) is YamlScalarNode { Value: { } single })
        {
            return [single];
        }

        return OptionalSequence(node, key, item)?.Children
            .Select(c => c is YamlScalarNode { Value: { } v } ? v : throw Error(c, item, $"'{key}' must hold text values"))
            .ToArray() ?? [];
    }

    public YamlMappingNode Mapping(YamlNode node, string item) =>
        node as YamlMappingNode ?? throw Error(node, item, "expected a mapping (key: value pairs)");

    public IEnumerable<YamlMappingNode> Mappings(YamlSequenceNode? sequence, string item) =>
        sequence?.Children.Select(c => Mapping(c, item)) ?? [];
}
