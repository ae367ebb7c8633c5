using YamlDotNet.RepresentationModel;

namespace ImagingCds.Facts;

/// <summary>A named set of codes, matched on <c>Coding.system</c> + <c>code</c> (never on display text).</summary>
/// <param name="Codes">Exact codes per system URI (ICD-10-CM codes stored without the dot).</param>
/// <param name="Prefixes">Code prefixes per system URI: an ICD-10-CM category such as <c>M5416</c> covers its children.</param>
public sealed record ValueSet(
    string Id,
    string Title,
    string Source,
    IReadOnlyDictionary<string, IReadOnlySet<string>> Codes,
    IReadOnlyDictionary<string, IReadOnlyList<string>> Prefixes)
{
    public bool Contains(string? system, string? code)
    {
        if (system is null || code is null)
        {
            return false;
        }

        var normalized = CodeSystems.Normalize(system, code);
        return (Codes.TryGetValue(system, out var exact) && exact.Contains(normalized)) ||
               (Prefixes.TryGetValue(system, out var prefixes) && prefixes.Any(p => normalized.StartsWith(p, StringComparison.Ordinal)));
    }
}

/// <summary>Code system URIs and their short names used in data files and evidence.</summary>
public static class CodeSystems
{
    public const string Icd10Cm = "http://hl7.org/fhir/sid/icd-10-cm";
    public const string Snomed = "http://snomed.info/sct";
    public const string Cpt = "http://www.ama-assn.org/go/cpt";
    public const string Loinc = "http://loinc.org";
    public const string RxNorm = "http://www.nlm.nih.gov/research/umls/rxnorm";
    public const string Hcpcs = "https://www.cms.gov/Medicare/Coding/HCPCSReleaseCodeSets";
    public const string ActCode = "http://terminology.hl7.org/CodeSystem/v3-ActCode";

    /// <summary>Short name in data files → system URI(s); HCPCS is seen under two URIs in the wild.</summary>
    public static readonly IReadOnlyDictionary<string, string[]> ByAlias = new Dictionary<string, string[]>(StringComparer.Ordinal)
    {
        ["icd10cm"] = [Icd10Cm],
        ["snomed"] = [Snomed],
        ["cpt"] = [Cpt],
        ["loinc"] = [Loinc],
        ["rxnorm"] = [RxNorm],
        ["hcpcs"] = [Hcpcs, "http://www.cms.gov/Medicare/Coding/HCPCSReleaseCodeSets"],
        ["actcode"] = [ActCode],
    };

    /// <summary>Short display name of a system for evidence text.</summary>
    public static string? ShortName(string? system) => system switch
    {
        Icd10Cm => "ICD-10-CM",
        Snomed => "SNOMED CT",
        Cpt => "CPT",
        Loinc => "LOINC",
        RxNorm => "RxNorm",
        Hcpcs or "http://www.cms.gov/Medicare/Coding/HCPCSReleaseCodeSets" => "HCPCS",
        ActCode => "ActCode",
        _ => null,
    };

    /// <summary>ICD-10-CM codes compare without their dot (<c>M54.16</c> = <c>M5416</c>), upper case.</summary>
    public static string Normalize(string system, string code) =>
        system == Icd10Cm ? code.Replace(".", string.Empty, StringComparison.Ordinal).Trim().ToUpperInvariant() : code.Trim();

    /// <summary>Whether a code is well formed for its system (catches typos in data files).</summary>
    public static bool IsWellFormed(string alias, string code) => alias switch
    {
        "icd10cm" => code.Length is >= 3 and <= 8 && char.IsAsciiLetterUpper(code[0]) && char.IsAsciiDigit(code[1]) &&
                     code.All(c => char.IsAsciiLetterOrDigit(c) || c == '.'),
        "snomed" => code.Length is >= 6 and <= 18 && code.All(char.IsAsciiDigit),
        "cpt" => code.Length == 5 && code.Take(4).All(char.IsAsciiDigit) && char.IsAsciiLetterOrDigit(code[4]),
        "loinc" => code.Contains('-', StringComparison.Ordinal) && code.Replace("-", string.Empty, StringComparison.Ordinal).All(char.IsAsciiDigit),
        "rxnorm" => code.Length is >= 2 and <= 8 && code.All(char.IsAsciiDigit),
        "hcpcs" => code.Length == 5 && char.IsAsciiLetterUpper(code[0]) && code.Skip(1).All(char.IsAsciiDigit),
        "actcode" => code.Length > 0 && code.All(char.IsAsciiLetterUpper),
        _ => false,
    };
}

/// <summary>All value sets, loaded from <c>guidelines/terminology/*.yaml</c>, indexed by code.</summary>
public sealed class Terminology
{
    private static readonly IReadOnlyList<ValueSet> None = [];

    // Per system: value sets by exact code and by code prefix. Ordinal string keys (fast, non-randomized hashing), and
    // prefixes looked up by span so matching a coding allocates nothing beyond its normalized code.
    private readonly Dictionary<string, Dictionary<string, List<ValueSet>>> _byCode = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Dictionary<string, List<ValueSet>>> _byPrefix = new(StringComparer.Ordinal);
    private readonly int _longestPrefix;

    public Terminology(IReadOnlyDictionary<string, ValueSet> valueSets)
    {
        ArgumentNullException.ThrowIfNull(valueSets);
        ValueSets = valueSets;
        foreach (var set in valueSets.Values)
        {
            foreach (var (system, codes) in set.Codes)
            {
                foreach (var code in codes)
                {
                    Add(_byCode, system, code, set);
                }
            }

            foreach (var (system, prefixes) in set.Prefixes)
            {
                foreach (var prefix in prefixes)
                {
                    Add(_byPrefix, system, prefix, set);
                    _longestPrefix = Math.Max(_longestPrefix, prefix.Length);
                }
            }
        }
    }

    public IReadOnlyDictionary<string, ValueSet> ValueSets { get; }

    /// <summary>Every value set holding this coding (by exact code or by prefix); a handful of dictionary look-ups.</summary>
    public IReadOnlyList<ValueSet> SetsOf(string? system, string? code)
    {
        if (system is null || code is null)
        {
            return None;
        }

        var normalized = CodeSystems.Normalize(system, code);
        IReadOnlyList<ValueSet>? found = null;
        if (_byCode.TryGetValue(system, out var exactCodes) && exactCodes.TryGetValue(normalized, out var exact))
        {
            found = exact;
        }

        if (_byPrefix.TryGetValue(system, out var prefixes))
        {
            var byPrefix = prefixes.GetAlternateLookup<ReadOnlySpan<char>>();
            for (var length = Math.Min(normalized.Length, _longestPrefix); length >= 1; length--)
            {
                if (byPrefix.TryGetValue(normalized.AsSpan(0, length), out var sets))
                {
                    found = found is null ? sets : [.. found, .. sets];
                }
            }
        }

        return found ?? None;
    }

    private static void Add(Dictionary<string, Dictionary<string, List<ValueSet>>> index, string system, string code, ValueSet set)
    {
        if (!index.TryGetValue(system, out var bySystem))
        {
            index[system] = bySystem = new Dictionary<string, List<ValueSet>>(StringComparer.Ordinal);
        }

        if (!bySystem.TryGetValue(code, out var list))
        {
            bySystem[code] = list = [];
        }

        if (!list.Contains(set))
        {
            list.Add(set);
        }
    }

    /// <summary>Loads every file in the folder; a duplicate id, unknown system or malformed code stops with file and line.</summary>
    public static Terminology Load(string folder)
    {
        var sets = new Dictionary<string, ValueSet>(StringComparer.Ordinal);
        foreach (var path in Directory.EnumerateFiles(folder, "*.yaml").Order(StringComparer.Ordinal))
        {
            var file = YamlFile.Load(path);
            file.OnlyKeys(file.Root, string.Empty, "value_sets");
            foreach (var node in file.Mappings(file.OptionalSequence(file.Root, "value_sets", string.Empty), "value set"))
            {
                var set = Read(file, node);
                if (!sets.TryAdd(set.Id, set))
                {
                    throw file.Error(node, set.Id, "duplicate value set id");
                }
            }
        }

        return new Terminology(sets);
    }

    private static ValueSet Read(YamlFile file, YamlMappingNode node)
    {
        var id = file.RequiredString(node, "id", "value set");
        file.OnlyKeys(node, id, "id", "title", "source", "include", "note");
        var codes = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal);
        var prefixes = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        foreach (var include in file.Mappings(file.OptionalSequence(node, "include", id), id))
        {
            file.OnlyKeys(include, id, "system", "codes", "prefixes");
            var alias = file.RequiredString(include, "system", id);
            if (!CodeSystems.ByAlias.TryGetValue(alias, out var uris))
            {
                throw file.Error(include, id, $"unknown code system '{alias}' (known: {string.Join(", ", CodeSystems.ByAlias.Keys)})");
            }

            foreach (var (key, target) in new[] { ("codes", true), ("prefixes", false) })
            {
                foreach (var code in file.StringList(include, key, id))
                {
                    if (!CodeSystems.IsWellFormed(alias, code) && !(key == "prefixes" && code.Length >= 3))
                    {
                        throw file.Error(include, id, $"'{code}' is not a well-formed {alias} code");
                    }

                    foreach (var uri in uris)
                    {
                        var normalized = CodeSystems.Normalize(uri, code);
                        if (target)
                        {
                            (codes.TryGetValue(uri, out var set) ? set : codes[uri] = new HashSet<string>(StringComparer.Ordinal)).Add(normalized);
                        }
                        else
                        {
                            (prefixes.TryGetValue(uri, out var list) ? list : prefixes[uri] = []).Add(normalized);
                        }
                    }
                }
            }
        }

        if (codes.Count == 0 && prefixes.Count == 0)
        {
            throw file.Error(node, id, "a value set needs at least one code or prefix");
        }

        return new ValueSet(
            id,
            file.OptionalString(node, "title", id) ?? id,
            file.RequiredString(node, "source", id),
            codes.ToDictionary(p => p.Key, p => (IReadOnlySet<string>)p.Value, StringComparer.Ordinal),
            prefixes.ToDictionary(p => p.Key, p => (IReadOnlyList<string>)p.Value, StringComparer.Ordinal));
    }
}
