using System.Text;
using ImagingCds.Guidelines;
using ImagingCds.Scenarios;
using YamlDotNet.Serialization;
using YamlDotNet.Serialization.NamingConventions;

namespace ImagingCds.Tests.Fixtures;

/// <summary>
/// docs/policy-coverage.md: every section of each seed (the inventories in guidelines/sections/) → the rules that
/// encode it → the scenarios that exercise those rules, so a gap shows at a glance.
/// </summary>
public static class PolicyCoverageReport
{
    public sealed class Inventory
    {
        public string Policy { get; set; } = "";
        public string Source { get; set; } = "";
        public List<InventorySection> Sections { get; set; } = [];
    }

    public sealed class InventorySection
    {
        public string Id { get; set; } = "";
        public string Title { get; set; } = "";
        public string Kind { get; set; } = "";
        public string? OutOfScopeReason { get; set; }
    }

    private static readonly IDeserializer Reader = new DeserializerBuilder()
        .WithNamingConvention(UnderscoredNamingConvention.Instance)
        .IgnoreUnmatchedProperties()
        .Build();

    public static IReadOnlyList<Inventory> Inventories(string folder) =>
        Directory.EnumerateFiles(folder, "*.yaml").Order(StringComparer.Ordinal)
            .Select(f => Reader.Deserialize<Inventory>(File.ReadAllText(f)))
            .GroupBy(i => i.Policy)
            .Select(g => new Inventory { Policy = g.Key, Source = g.First().Source, Sections = g.SelectMany(i => i.Sections).ToList() })
            .ToArray();

    /// <summary>Rule id → the scenarios in which it decided the verdict (or, for an exclusion, was triggered).</summary>
    public static Dictionary<(string Policy, string Rule), SortedSet<string>> Exercised(IEnumerable<Scenario> scenarios, GuidelineLibrary library, IReadOnlyList<PayerRoute> routes)
    {
        var exercised = new Dictionary<(string, string), SortedSet<string>>();
        foreach (var scenario in scenarios)
        {
            foreach (var finding in ScenarioEvaluation.Findings(scenario, library, routes))
            {
                var rules = finding.Decisive.Select(r => r.Rule.Id)
                    .Concat(finding.Trace.Where(r => r.Rule.Kind == RuleKind.Exclusion && r.Truth == ImagingCds.Facts.Truth.True).Select(r => r.Rule.Id));
                foreach (var rule in rules)
                {
                    var key = (finding.PolicyId, rule);
                    (exercised.TryGetValue(key, out var set) ? set : exercised[key] = new SortedSet<string>(StringComparer.Ordinal)).Add(scenario.Id);
                }
            }
        }

        return exercised;
    }

    public static string Render(GuidelineLibrary library, IReadOnlyList<Inventory> inventories, Dictionary<(string Policy, string Rule), SortedSet<string>> exercised, int scenarioCount)
    {
        var text = new StringBuilder();
        text.Append("# Policy coverage\n\nGenerated from `guidelines/sections/` (each seed's inventory), `guidelines/policies/` and ")
            .Append("`fhir-fixtures/scenarios/` by `UPDATE_DOCS=1 dotnet test --filter PolicyCoverageTests`; do not edit by hand.\n\n")
            .Append("A section is *encoded* when a rule or definition cites it (`section` or `covers`); *≈* means only a rule citing its parent ")
            .Append("section encodes it; *—* is a gap. Background and out-of-scope sections need no rule. A rule is *exercised* when a scenario ")
            .Append("is decided by it (or triggers it, for an exclusion).\n\n")
            .Append($"{scenarioCount} scenarios.\n\n| policy | sections | encoded | ≈ parent only | gaps | out of scope / background | rules | rules exercised |\n|---|---|---|---|---|---|---|---|\n");
        var bodies = new StringBuilder();
        foreach (var policy in library.Policies.OrderBy(p => p.Id, StringComparer.Ordinal))
        {
            var inventory = inventories.FirstOrDefault(i => i.Policy == policy.Id) ?? new Inventory();
            var citing = policy.Rules.Select(r => (Id: r.Id, Section: r.Section, Covers: r.Covers))
                .Concat(policy.Definitions.Values.Select(d => (Id: $"def:{d.Id}", Section: d.Section, Covers: d.Covers)))
                .ToArray();
            int encoded = 0, parent = 0, gaps = 0, skipped = 0;
            bodies.Append($"\n## {policy.Id} — {policy.Payer}: {policy.Title} (version {policy.Version})\n\n")
                .Append("| section | kind | title | rules | scenarios |\n|---|---|---|---|---|\n");
            foreach (var section in inventory.Sections)
            {
                var exact = citing.Where(c => Same(c.Section, section.Id) || c.Covers.Any(v => Same(v, section.Id))).Select(c => c.Id).ToArray();
                var byParent = exact.Length > 0 ? [] : citing.Where(c => IsParent(c.Section, section.Id)).Select(c => c.Id).ToArray();
                var scenarios = exact.Concat(byParent).SelectMany(r => exercised.GetValueOrDefault((policy.Id, r)) ?? []).Distinct().Take(6).ToArray();
                string rules;
                if (section.Kind is "background" or "out-of-scope")
                {
                    skipped++;
                    rules = section.Kind == "out-of-scope" ? $"out of scope: {section.OutOfScopeReason}" : "background";
                }
                else if (exact.Length > 0)
                {
                    encoded++;
                    rules = string.Join(", ", exact.Select(r => $"`{r}`"));
                }
                else if (byParent.Length > 0)
                {
                    parent++;
                    rules = "≈ " + string.Join(", ", byParent.Take(4).Select(r => $"`{r}`")) + (byParent.Length > 4 ? " …" : string.Empty);
                }
                else
                {
                    gaps++;
                    rules = "—";
                }

                bodies.Append($"| {Cell(section.Id)} | {section.Kind} | {Cell(section.Title)} | {Cell(rules)} | {Cell(string.Join(", ", scenarios))} |\n");
            }

            var unexercised = policy.Rules.Where(r => !exercised.ContainsKey((policy.Id, r.Id))).Select(r => $"`{r.Id}`").ToArray();
            bodies.Append($"\nRules not exercised by any scenario ({unexercised.Length}): {(unexercised.Length == 0 ? "none" : string.Join(", ", unexercised))}\n");
            var exercisedCount = policy.Rules.Count - unexercised.Length;
            text.Append($"| {policy.Id} | {inventory.Sections.Count} | {encoded} | {parent} | {gaps} | {skipped} | {policy.Rules.Count} | {exercisedCount} |\n");
        }

        return text.Append(bodies).ToString();
    }

    private static string Normalize(string s) => string.Join(' ', s.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries)).ToUpperInvariant();

    private static bool Same(string a, string b) => Normalize(a) == Normalize(b);

    private static bool IsParent(string parent, string child)
    {
        var p = Normalize(parent);
        var c = Normalize(child);
        return c.Length > p.Length && c.StartsWith(p, StringComparison.Ordinal) && c[p.Length] is ' ' or '.' or '›';
    }

    private static string Cell(string text) => text.Replace("|", "\\|", StringComparison.Ordinal).Replace("\n", " ", StringComparison.Ordinal);
}
