using System.Text.Json;
using System.Text.Json.Nodes;

namespace ImagingCds.Scenarios;

/// <summary>One scenario to replay: the order-sign request to post and what its answer must hold.</summary>
/// <param name="Name">The scenario's path under the fixtures folder, without extension (e.g. <c>evicore-cigna-spine/evicore-sp-1.2-foot-drop</c>).</param>
/// <param name="Source">The file or folder it was read from.</param>
/// <param name="Request">The request body; compact scenarios carry their whole record in prefetch.</param>
/// <param name="Scenario">The compact scenario it was expanded from; null for a folder scenario.</param>
public sealed record ReplayCase(
    string Name,
    string Source,
    JsonObject Request,
    IReadOnlyList<ScenarioExpectation> Expected,
    IReadOnlyList<ScenarioExpectation> NoEntry,
    Scenario? Scenario)
{
    /// <summary>The request of a folder scenario.</summary>
    public const string RequestFile = "request.json";

    /// <summary>The expectations of a folder scenario: <c>{"expected": [...], "no_entry": [...]}</c>, entries as in the compact format.</summary>
    public const string ExpectedFile = "expected.json";

    private static readonly JsonSerializerOptions ExpectedJson = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        UnmappedMemberHandling = System.Text.Json.Serialization.JsonUnmappedMemberHandling.Disallow,
        ReadCommentHandling = JsonCommentHandling.Skip,
    };

    /// <summary>
    /// Every scenario under <paramref name="root"/>, ordered by name: each <c>*.yaml</c> file (a compact scenario) and
    /// each folder holding both <see cref="RequestFile"/> and <see cref="ExpectedFile"/>. A folder with a request but
    /// no expectations is an example, not a scenario, and is left out.
    /// </summary>
    public static IReadOnlyList<ReplayCase> Discover(string root)
    {
        ArgumentException.ThrowIfNullOrEmpty(root);
        if (!Directory.Exists(root))
        {
            throw new DirectoryNotFoundException($"no fixtures folder at {root}");
        }

        var compact = Directory.EnumerateFiles(root, "*.yaml", SearchOption.AllDirectories)
            .Select(file => FromScenario(Scenario.Load(file), NameUnder(root, file)));
        var folders = Directory.EnumerateFiles(root, RequestFile, SearchOption.AllDirectories)
            .Select(Path.GetDirectoryName)
            .OfType<string>()
            .Where(folder => File.Exists(Path.Combine(folder, ExpectedFile)))
            .Select(folder => FromFolder(folder, NameUnder(root, folder)));
        return compact.Concat(folders).OrderBy(c => c.Name, StringComparer.Ordinal).ToArray();
    }

    /// <summary>A compact scenario, its record in prefetch; content the expansion cannot read throws, naming the file.</summary>
    public static ReplayCase FromScenario(Scenario scenario, string name)
    {
        ArgumentNullException.ThrowIfNull(scenario);
        JsonObject request;
        try
        {
            request = ScenarioFhir.Request(scenario);
        }
        catch (Exception ex) when (ex is InvalidOperationException or FormatException)
        {
            throw new InvalidDataException($"{scenario.File}: {ex.Message}", ex);
        }

        if (scenario.Expected.Count == 0)
        {
            throw new InvalidDataException($"{scenario.File}: 'expected' lists nothing");
        }

        return new(name, scenario.File, request, scenario.Expected, scenario.NoEntry, scenario);
    }

    /// <summary>A folder scenario: <see cref="RequestFile"/> posted as it is, checked against <see cref="ExpectedFile"/>.</summary>
    public static ReplayCase FromFolder(string folder, string name)
    {
        var requestPath = Path.Combine(folder, RequestFile);
        var expectedPath = Path.Combine(folder, ExpectedFile);
        var request = Read(requestPath, text => JsonNode.Parse(text) as JsonObject)
            ?? throw new InvalidDataException($"{requestPath}: not a JSON object");
        var expected = Read(expectedPath, text => JsonSerializer.Deserialize<FolderExpectations>(text, ExpectedJson))
            ?? throw new InvalidDataException($"{expectedPath}: not a JSON object");
        if (expected.Expected.Count == 0)
        {
            throw new InvalidDataException($"{expectedPath}: 'expected' lists nothing");
        }

        return new(name, folder, request, expected.Expected, expected.NoEntry, null);
    }

    private static T? Read<T>(string path, Func<string, T?> parse)
    {
        try
        {
            return parse(File.ReadAllText(path));
        }
        catch (JsonException ex)
        {
            throw new InvalidDataException($"{path}:{ex.LineNumber + 1}: {ex.Message}", ex);
        }
    }

    private static string NameUnder(string root, string path)
    {
        var relative = Path.GetRelativePath(root, path).Replace(Path.DirectorySeparatorChar, '/');
        return relative.EndsWith(".yaml", StringComparison.Ordinal) ? relative[..^".yaml".Length] : relative;
    }

    private sealed class FolderExpectations
    {
        public List<ScenarioExpectation> Expected { get; set; } = [];

        public List<ScenarioExpectation> NoEntry { get; set; } = [];
    }
}
