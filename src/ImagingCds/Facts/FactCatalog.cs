using YamlDotNet.RepresentationModel;

namespace ImagingCds.Facts;

/// <summary>What kind of answer a fact takes; drives the documentation prompt's answer type.</summary>
public enum FactType { Boolean, Number, Choice }

/// <summary>Which Condition clinical statuses count for a fact.</summary>
public enum StatusFilter { Active, History, Any }

/// <summary>Which Condition verification statuses count: confirmed (or unstated), suspected (provisional/differential), or both.</summary>
public enum VerificationFilter { Confirmed, Suspected, Any }

/// <summary>A lab or measurement rule: which codes, and when a result counts as positive.</summary>
/// <param name="Above">Positive when the value is above this number (strictly).</param>
/// <param name="AtLeast">Positive when the value is at least this number.</param>
/// <param name="Abnormal">Positive when the interpretation or reference range marks it high/low/abnormal.</param>
public sealed record MeasurementRule(IReadOnlyList<ValueSet> Codes, decimal? Above, decimal? AtLeast, bool Abnormal);

/// <summary>How a fact is derived from the record. Several sources may feed one fact; all contribute occurrences.</summary>
public sealed record Derivation
{
    public IReadOnlyList<ValueSet> Conditions { get; init; } = [];
    public StatusFilter Status { get; init; } = StatusFilter.Active;
    public VerificationFilter Verification { get; init; } = VerificationFilter.Confirmed;
    public IReadOnlyList<ValueSet> Findings { get; init; } = [];
    public MeasurementRule? Measurement { get; init; }
    public IReadOnlyList<ValueSet> Procedures { get; init; } = [];
    public IReadOnlyList<ValueSet> Planned { get; init; } = [];
    public IReadOnlyList<ValueSet> Medications { get; init; } = [];
    public IReadOnlyList<string> EncounterClasses { get; init; } = [];

    /// <summary>Only the signed order's own reasonCode (e.g. Z09 "follow-up after treatment" states the order's purpose; the same code elsewhere in the chart does not).</summary>
    public IReadOnlyList<ValueSet> OrderReasons { get; init; } = [];

    /// <summary>Other orders signed in the same call (a CT beside the MRI, anesthesia for the MRI).</summary>
    public IReadOnlyList<ValueSet> ConcurrentOrders { get; init; } = [];
    public IReadOnlyList<string> Union { get; init; } = [];
    public string? Builtin { get; init; }

    /// <summary>Nothing in structured FHIR data shows it: only a clinician's answer can.</summary>
    public bool AskedOnly => Conditions.Count == 0 && Findings.Count == 0 && Measurement is null && Procedures.Count == 0 &&
                             Planned.Count == 0 && Medications.Count == 0 && EncounterClasses.Count == 0 && ConcurrentOrders.Count == 0 && OrderReasons.Count == 0 &&
                             Union.Count == 0 && Builtin is null;
}

/// <summary>One fact of the catalog: an id, the clinician-readable question, its type, and its derivation.</summary>
/// <param name="Windows">How its time windows are read (which ends are included), for the reference page.</param>
public sealed record FactDefinition(
    string Id,
    string Question,
    FactType Type,
    IReadOnlyList<string> Choices,
    Derivation Derive,
    string? Note,
    string? Windows,
    string Group,
    long Line);

/// <summary>
/// The fact catalog (<c>guidelines/facts.yaml</c>): every fact a policy criterion may use.
/// </summary>
/// <remarks>
/// A fact id may hold <c>{region}</c> with <c>regions: [...]</c>: it is expanded once per region
/// (e.g. <c>radiculopathy.{region}</c> → <c>radiculopathy.lumbar</c>), value set ids likewise.
/// </remarks>
public sealed class FactCatalog(IReadOnlyDictionary<string, FactDefinition> facts, Terminology terminology)
{
    public static readonly IReadOnlyList<string> Regions = ["cervical", "thoracic", "lumbar"];

    public static readonly IReadOnlyList<string> Builtins =
        ["age_years", "age_months", "sex", "order_region", "order_contrast", "order_cpt", "order_requester", "order_reason"];

    public IReadOnlyDictionary<string, FactDefinition> Facts { get; } = facts;

    public Terminology Terminology { get; } = terminology;

    /// <summary>Loads every <c>*.yaml</c> file of the folder (one file per group of facts).</summary>
    public static FactCatalog Load(string folder, Terminology terminology)
    {
        ArgumentNullException.ThrowIfNull(terminology);
        var facts = new Dictionary<string, FactDefinition>(StringComparer.Ordinal);
        var unions = new List<(FactDefinition Fact, YamlNode Node, YamlFile File)>();
        foreach (var path in Directory.EnumerateFiles(folder, "*.yaml").Order(StringComparer.Ordinal))
        {
            ReadFile(YamlFile.Load(path), terminology, facts, unions);
        }

        foreach (var (fact, node, file) in unions)
        {
            foreach (var member in fact.Derive.Union.Where(m => !facts.ContainsKey(m)))
            {
                throw file.Error(node, fact.Id, $"union member '{member}' is not a fact of the catalog");
            }
        }

        return new FactCatalog(facts, terminology);
    }

    private static void ReadFile(
        YamlFile file, Terminology terminology, Dictionary<string, FactDefinition> facts, List<(FactDefinition Fact, YamlNode Node, YamlFile File)> unions)
    {
        file.OnlyKeys(file.Root, string.Empty, "group", "facts");
        var group = file.OptionalString(file.Root, "group", string.Empty) ?? Path.GetFileNameWithoutExtension(file.Path);
        foreach (var node in file.Mappings(file.OptionalSequence(file.Root, "facts", string.Empty), "fact"))
        {
            var id = file.RequiredString(node, "id", "fact");
            file.OnlyKeys(node, id, "id", "question", "type", "choices", "regions", "derive", "note", "windows");
            var regions = file.StringList(node, "regions", id);
            if (id.Contains("{region}", StringComparison.Ordinal) != (regions.Count > 0))
            {
                throw file.Error(node, id, "'{region}' in the id and a 'regions' list go together");
            }

            foreach (var region in regions.Count > 0 ? regions : [string.Empty])
            {
                if (region.Length > 0 && !Regions.Contains(region))
                {
                    throw file.Error(node, id, $"unknown region '{region}'");
                }

                string Expand(string text) => text.Replace("{region}", region, StringComparison.Ordinal);
                var definition = Read(file, node, Expand(id), Expand, terminology) with { Group = group };
                if (!facts.TryAdd(definition.Id, definition))
                {
                    throw file.Error(node, definition.Id, "duplicate fact id");
                }

                unions.Add((definition, node, file));
            }
        }
    }

    private static FactDefinition Read(YamlFile file, YamlMappingNode node, string id, Func<string, string> expand, Terminology terminology)
    {
        var type = file.OptionalString(node, "type", id) ?? "boolean";
        var factType = type switch
        {
            "boolean" => FactType.Boolean,
            "number" => FactType.Number,
            "choice" => FactType.Choice,
            _ => throw file.Error(node, id, $"type must be boolean, number or choice, not '{type}'"),
        };

        var derive = YamlFile.Get(node, "derive") is { } d ? ReadDerivation(file, file.Mapping(d, id), id, expand, terminology) : new Derivation();
        if (derive.Builtin is { } builtin && !Builtins.Contains(builtin))
        {
            throw file.Error(node, id, $"unknown builtin '{builtin}' (known: {string.Join(", ", Builtins)})");
        }

        return new FactDefinition(
            id,
            expand(file.RequiredString(node, "question", id)),
            factType,
            file.StringList(node, "choices", id),
            derive,
            file.OptionalString(node, "note", id) is { } note ? expand(note) : null,
            file.OptionalString(node, "windows", id),
            string.Empty,
            node.Start.Line);
    }

    private static Derivation ReadDerivation(YamlFile file, YamlMappingNode node, string id, Func<string, string> expand, Terminology terminology)
    {
        file.OnlyKeys(node, id, "conditions", "status", "verification", "findings", "measurement", "procedures", "planned", "medications",
            "encounter_classes", "concurrent_orders", "order_reasons", "union", "builtin");

        IReadOnlyList<ValueSet> Sets(YamlMappingNode owner, string key) => file.StringList(owner, key, id)
            .Select(expand)
            .Select(vs => terminology.ValueSets.TryGetValue(vs, out var set) ? set : throw file.Error(owner, id, $"unknown value set '{vs}' in '{key}'"))
            .ToArray();

        MeasurementRule? measurement = null;
        if (YamlFile.Get(node, "measurement") is { } m)
        {
            var map = file.Mapping(m, id);
            file.OnlyKeys(map, id, "codes", "above", "at_least", "abnormal");
            measurement = new MeasurementRule(
                Sets(map, "codes"),
                file.OptionalNumber(map, "above", id),
                file.OptionalNumber(map, "at_least", id),
                file.OptionalString(map, "abnormal", id) == "true");
            if (measurement.Above is null && measurement.AtLeast is null && !measurement.Abnormal)
            {
                throw file.Error(map, id, "a measurement needs 'above', 'at_least' or 'abnormal: true'");
            }
        }

        return new Derivation
        {
            Conditions = Sets(node, "conditions"),
            Status = file.OptionalString(node, "status", id) switch
            {
                null or "active" => StatusFilter.Active,
                "history" => StatusFilter.History,
                "any" => StatusFilter.Any,
                var other => throw file.Error(node, id, $"status must be active, history or any, not '{other}'"),
            },
            Verification = file.OptionalString(node, "verification", id) switch
            {
                null or "confirmed" => VerificationFilter.Confirmed,
                "suspected" => VerificationFilter.Suspected,
                "any" => VerificationFilter.Any,
                var other => throw file.Error(node, id, $"verification must be confirmed, suspected or any, not '{other}'"),
            },
            Findings = Sets(node, "findings"),
            Measurement = measurement,
            Procedures = Sets(node, "procedures"),
            Planned = Sets(node, "planned"),
            Medications = Sets(node, "medications"),
            EncounterClasses = file.StringList(node, "encounter_classes", id),
            ConcurrentOrders = Sets(node, "concurrent_orders"),
            OrderReasons = Sets(node, "order_reasons"),
            Union = file.StringList(node, "union", id).Select(expand).ToArray(),
            Builtin = file.OptionalString(node, "builtin", id),
        };
    }
}
