using System.Globalization;
using System.Text.RegularExpressions;
using ImagingCds.Facts;
using YamlDotNet.RepresentationModel;

namespace ImagingCds.Guidelines;

/// <summary>
/// Loads and validates policy files. Any problem — an unknown fact, a malformed tree, a duplicate rule id,
/// a missing citation, a comparison the fact's type cannot take — stops start-up with file, line and rule.
/// </summary>
public static partial class PolicyLoader
{
    public static Policy Load(string path, FactCatalog catalog)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        var file = YamlFile.Load(path);
        var root = file.Root;
        file.OnlyKeys(root, string.Empty, "id", "payer", "title", "version", "effective", "source", "cpt", "definitions", "rules", "note");
        var id = file.RequiredString(root, "id", "policy");
        var cpt = file.StringList(root, "cpt", id);
        if (cpt.Count == 0)
        {
            throw file.Error(root, id, "'cpt' must list the CPT codes the policy governs");
        }

        var reader = new Reader(file, catalog);
        var definitionNodes = file.Mappings(file.OptionalSequence(root, "definitions", id), "definition").ToArray();
        foreach (var node in definitionNodes)
        {
            var name = file.RequiredString(node, "id", "definition");
            if (!reader.DefinitionNames.Add(name))
            {
                throw file.Error(node, name, "duplicate definition id");
            }
        }

        var definitions = new Dictionary<string, Definition>(StringComparer.Ordinal);
        foreach (var node in definitionNodes)
        {
            var name = file.RequiredString(node, "id", "definition");
            file.OnlyKeys(node, name, "id", "title", "section", "when", "note", "covers");
            definitions[name] = new Definition(
                name,
                file.RequiredString(node, "title", name),
                file.RequiredString(node, "section", name),
                reader.Predicate(Required(file, node, "when", name), name),
                file.OptionalString(node, "note", name)) { Covers = file.StringList(node, "covers", name) };
        }

        reader.CheckNoCycles(definitions);
        var rules = new List<Rule>();
        var ids = new HashSet<string>(StringComparer.Ordinal);
        foreach (var node in file.Mappings(file.OptionalSequence(root, "rules", id), "rule"))
        {
            var rule = reader.Rule(node);
            if (!ids.Add(rule.Id))
            {
                throw file.Error(node, rule.Id, "duplicate rule id");
            }

            rules.Add(rule);
        }

        if (!rules.Any(r => r.Kind == RuleKind.Indication))
        {
            throw file.Error(root, id, "a policy needs at least one indication");
        }

        return new Policy(
            id,
            file.RequiredString(root, "payer", id),
            file.RequiredString(root, "title", id),
            file.RequiredString(root, "version", id),
            file.RequiredString(root, "effective", id),
            file.RequiredString(root, "source", id),
            cpt.ToHashSet(StringComparer.Ordinal),
            definitions,
            rules,
            path);
    }

    private static YamlNode Required(YamlFile file, YamlMappingNode node, string key, string item) =>
        YamlFile.Get(node, key) ?? throw file.Error(node, item, $"'{key}' is required");

    [GeneratedRegex(@"^(\d+)\s*(day|week|month|year)s?$")]
    private static partial Regex SpanPattern();

    private sealed class Reader(YamlFile file, FactCatalog catalog)
    {
        public HashSet<string> DefinitionNames { get; } = new(StringComparer.Ordinal);

        private readonly Dictionary<string, HashSet<string>> _uses = new(StringComparer.Ordinal);

        public Rule Rule(YamlMappingNode node)
        {
            var id = file.RequiredString(node, "id", "rule");
            file.OnlyKeys(node, id, "id", "kind", "title", "section", "regions", "when", "unless", "defers_to", "note", "covers", "suggest");
            var kind = file.RequiredString(node, "kind", id) switch
            {
                "indication" => RuleKind.Indication,
                "exclusion" => RuleKind.Exclusion,
                var other => throw file.Error(node, id, $"kind must be indication or exclusion, not '{other}'"),
            };
            var section = file.OptionalString(node, "section", id);
            if (string.IsNullOrWhiteSpace(section))
            {
                throw file.Error(node, id, "every rule must cite the section of the source it encodes ('section')");
            }

            var regions = file.StringList(node, "regions", id);
            foreach (var region in regions.Where(r => !FactCatalog.Regions.Contains(r)))
            {
                throw file.Error(node, id, $"unknown region '{region}'");
            }

            var unless = file.OptionalSequence(node, "unless", id)?.Children.Select(c => Predicate(c, id)).ToArray() ?? [];
            var defersTo = file.OptionalString(node, "defers_to", id);
            if (kind == RuleKind.Exclusion && defersTo is not null)
            {
                throw file.Error(node, id, "'defers_to' is for indications");
            }

            if (kind == RuleKind.Indication && unless.Length > 0)
            {
                throw file.Error(node, id, "'unless' is for exclusions; write the condition into 'when'");
            }

            return new Rule(id, kind, file.RequiredString(node, "title", id), section, regions,
                Predicate(Required(file, node, "when", id), id), unless, defersTo, file.OptionalString(node, "note", id), node.Start.Line)
            {
                Covers = file.StringList(node, "covers", id),
                Suggest = YamlFile.Get(node, "suggest") is { } suggest ? Suggestion(file.Mapping(suggest, id), id) : null,
            };
        }

        private OrderSuggestion Suggestion(YamlMappingNode node, string id)
        {
            file.OnlyKeys(node, id, "label", "contrast", "regions", "code", "recommended");
            var contrast = file.OptionalString(node, "contrast", id);
            if (contrast is not null and not ("without" or "with" or "without-and-with"))
            {
                throw file.Error(node, id, $"suggest.contrast must be without, with or without-and-with, not '{contrast}'");
            }

            var regions = file.StringList(node, "regions", id);
            foreach (var region in regions.Where(r => !FactCatalog.Regions.Contains(r)))
            {
                throw file.Error(node, id, $"suggest.regions: unknown region '{region}'");
            }

            var code = file.OptionalString(node, "code", id);
            if (code is not null && (code.Split('|') is not [var system, var value, ..] || !CodeSystems.ByAlias.ContainsKey(system) || !CodeSystems.IsWellFormed(system, value)))
            {
                throw file.Error(node, id, $"suggest.code must be 'system|code|display' with a known system and a well-formed code, not '{code}'");
            }

            if (contrast is null && regions.Count == 0 && code is null)
            {
                throw file.Error(node, id, "a suggestion needs contrast, regions or code");
            }

            return new OrderSuggestion(file.RequiredString(node, "label", id), contrast, regions, code, file.OptionalString(node, "recommended", id) == "true");
        }

        public Predicate Predicate(YamlNode node, string item)
        {
            if (node is YamlScalarNode { Value: { } shorthand })
            {
                return Fact(shorthand, node, item, null);
            }

            var map = file.Mapping(node, item);
            var keys = map.Children.Keys.OfType<YamlScalarNode>().Select(k => k.Value).ToHashSet(StringComparer.Ordinal);
            if (keys.Contains("fact"))
            {
                file.OnlyKeys(map, item, "fact", "within", "older_than", "after", "since", "starts_within", "documented", "ge", "gt", "le", "lt", "eq", "in",
                    "weeks_at_least", "count_at_least");
                return Fact(file.RequiredString(map, "fact", item), map, item, map);
            }

            if (keys.Count != 1 && !(keys.Contains("at_least") && keys.Contains("of") && keys.Count == 2))
            {
                throw file.Error(map, item, "a condition is one of: fact, all, any, not, at_least + of, ref");
            }

            if (keys.Contains("at_least"))
            {
                var count = (int)(file.OptionalNumber(map, "at_least", item) ?? 0);
                var items = List(map, "of", item);
                return count < 1 || count > items.Count
                    ? throw file.Error(map, item, $"'at_least' must be between 1 and the number of items ({items.Count})")
                    : new AtLeastOf(count, items);
            }

            return keys.Single() switch
            {
                "all" => new AllOf(List(map, "all", item)),
                "any" => new AnyOf(List(map, "any", item)),
                "not" => new NotOf(Predicate(YamlFile.Get(map, "not")!, item)),
                "ref" => Ref(file.RequiredString(map, "ref", item), map, item),
                var other => throw file.Error(map, item, $"unknown condition '{other}' (one of: fact, all, any, not, at_least + of, ref)"),
            };
        }

        private List<Predicate> List(YamlMappingNode map, string key, string item)
        {
            var sequence = file.OptionalSequence(map, key, item);
            return sequence is null || sequence.Children.Count == 0
                ? throw file.Error(map, item, $"'{key}' must be a non-empty list of conditions")
                : sequence.Children.Select(c => Predicate(c, item)).ToList();
        }

        private DefinitionRef Ref(string name, YamlNode node, string item)
        {
            if (!DefinitionNames.Contains(name))
            {
                throw file.Error(node, item, $"'{name}' is not a definition of this policy");
            }

            (_uses.TryGetValue(item, out var set) ? set : _uses[item] = new HashSet<string>(StringComparer.Ordinal)).Add(name);
            return new DefinitionRef(name);
        }

        private FactTest Fact(string fact, YamlNode node, string item, YamlMappingNode? map)
        {
            var definition = Known(fact, node, item);
            Span? SpanOf(string key)
            {
                var text = map is null ? null : file.OptionalString(map, key, item);
                if (text is null)
                {
                    return null;
                }

                var match = SpanPattern().Match(text.Trim());
                return match.Success
                    ? new Span(int.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture), match.Groups[2].Value)
                    : throw file.Error(map!, item, $"'{key}' must be a span such as '6 weeks', '3 months', '90 days', got '{text}'");
            }

            Comparison? compare = null;
            foreach (var (key, op) in new[] { ("ge", Relation.Ge), ("gt", Relation.Gt), ("le", Relation.Le), ("lt", Relation.Lt), ("eq", Relation.Eq) })
            {
                if (map is not null && file.OptionalNumber(map, key, item) is { } value)
                {
                    compare = compare is null ? new Comparison(op, value) : throw file.Error(map, item, "only one comparison per fact test");
                }
            }

            var choices = map is null ? [] : file.StringList(map, "in", item);
            if (compare is not null && definition.Type != FactType.Number)
            {
                throw file.Error(node, item, $"'{fact}' is not a number fact; it cannot be compared");
            }

            if (choices.Count > 0 && definition.Type != FactType.Choice)
            {
                throw file.Error(node, item, $"'{fact}' is not a choice fact; 'in' does not apply");
            }

            foreach (var choice in choices.Where(c => definition.Choices.Count > 0 && !definition.Choices.Contains(c)))
            {
                throw file.Error(node, item, $"'{choice}' is not a choice of '{fact}' ({string.Join(", ", definition.Choices)})");
            }

            var after = map is null ? null : file.OptionalString(map, "after", item);
            var since = map is null ? null : file.OptionalString(map, "since", item);
            foreach (var other in new[] { after, since }.OfType<string>())
            {
                Known(other, node, item);
            }

            var documented = map is null ? null : file.OptionalString(map, "documented", item);
            if (documented is not (null or "true" or "false"))
            {
                throw file.Error(map!, item, $"'documented' must be true or false, not '{documented}'");
            }

            var test = new FactTest(
                fact,
                SpanOf("within"),
                SpanOf("older_than"),
                after,
                compare,
                choices,
                map is null ? null : (int?)file.OptionalNumber(map, "weeks_at_least", item),
                map is null ? null : (int?)file.OptionalNumber(map, "count_at_least", item));
            test = test with { Since = since, StartsWithin = SpanOf("starts_within"), Documented = documented != "false" };
            if (!test.Documented && (test.Compare is not null || test.In.Count > 0 || test.WeeksAtLeast is not null || test.CountAtLeast is not null))
            {
                throw file.Error(map!, item, "'documented: false' asks whether any occurrence is documented; it does not combine with comparisons or counts");
            }

            return test with { Key = KeyOf(test) };
        }

        /// <summary>The fact must exist; a <c>{region}</c> fact must exist for every region.</summary>
        private FactDefinition Known(string fact, YamlNode node, string item)
        {
            var expanded = fact.Contains("{region}", StringComparison.Ordinal)
                ? FactCatalog.Regions.Select(r => fact.Replace("{region}", r, StringComparison.Ordinal)).ToArray()
                : [fact];
            foreach (var id in expanded.Where(id => !catalog.Facts.ContainsKey(id)))
            {
                throw file.Error(node, item, $"unknown fact '{id}' (not in the fact catalog)");
            }

            return catalog.Facts[expanded[0]];
        }

        public void CheckNoCycles(IReadOnlyDictionary<string, Definition> definitions)
        {
            foreach (var start in definitions.Keys)
            {
                var seen = new HashSet<string>(StringComparer.Ordinal);
                var stack = new Stack<string>([start]);
                while (stack.TryPop(out var name))
                {
                    foreach (var used in _uses.TryGetValue(name, out var set) ? set : [])
                    {
                        if (used == start)
                        {
                            throw new DataFileException(file.Path, 0, start, "definitions refer to each other in a cycle");
                        }

                        if (seen.Add(used))
                        {
                            stack.Push(used);
                        }
                    }
                }
            }
        }
    }

    /// <summary>The canonical key of a fact test: its fact id plus its qualifiers, e.g. <c>care.any|within=6 months|weeks>=6</c>.</summary>
    internal static string KeyOf(FactTest test)
    {
        var parts = new List<string> { test.Fact };
        if (test.Within is { } within)
        {
            parts.Add($"within={within}");
        }

        if (test.OlderThan is { } older)
        {
            parts.Add($"older_than={older}");
        }

        if (test.After is { } after)
        {
            parts.Add($"after={after}");
        }

        if (test.Since is { } since)
        {
            parts.Add($"since={since}");
        }

        if (test.StartsWithin is { } starts)
        {
            parts.Add($"starts_within={starts}");
        }

        if (!test.Documented)
        {
            parts.Add("documented=false");
        }

        if (test.Compare is { } compare)
        {
            parts.Add($"{compare.Relation.ToString().ToLowerInvariant()}={compare.Value.ToString(CultureInfo.InvariantCulture)}");
        }

        if (test.In.Count > 0)
        {
            parts.Add($"in={string.Join(',', test.In)}");
        }

        if (test.WeeksAtLeast is { } weeks)
        {
            parts.Add($"weeks>={weeks}");
        }

        if (test.CountAtLeast is { } count)
        {
            parts.Add($"count>={count}");
        }

        return string.Join('|', parts);
    }
}
