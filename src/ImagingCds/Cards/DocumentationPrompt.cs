using System.Globalization;
using ImagingCds.Facts;
using ImagingCds.Fhir;
using ImagingCds.Guidelines;

namespace ImagingCds.Cards;

/// <summary>
/// Da Vinci DTR-style documentation prompts generated from a policy rule: a FHIR R4 Questionnaire (one item per fact
/// test of the rule, in the guideline's order and the catalog's wording) and a QuestionnaireResponse prefilled with
/// what the record already shows. Pure.
/// </summary>
/// <remarks>
/// Item linkIds are the fact tests' keys (region filled in), so an answered QuestionnaireResponse saved to the EHR
/// decides exactly those tests on the next hook call (the facts stage reads it).
/// </remarks>
public static class DocumentationPrompt
{
    /// <summary>DTR's origin extension: whether an answer came from the record (auto) or from a person (manual/override).</summary>
    public const string InformationOrigin = "http://hl7.org/fhir/us/davinci-dtr/StructureDefinition/information-origin";

    /// <summary>The Questionnaire for one rule: canonical URL per (policy, rule), version = the policy's version.</summary>
    public static Questionnaire Questionnaire(Policy policy, Rule rule, FactCatalog catalog, string region, string baseUrl)
    {
        ArgumentNullException.ThrowIfNull(policy);
        ArgumentNullException.ThrowIfNull(rule);
        var items = new List<QuestionnaireItem>();
        string? previous = null;
        foreach (var (test, chained) in Leaves(rule.When, policy, chained: false))
        {
            var key = test.Key.Replace("{region}", region, StringComparison.Ordinal);
            if (items.Any(i => i.LinkId == key))
            {
                continue;
            }

            var fact = catalog.Facts.GetValueOrDefault(test.Fact.Replace("{region}", region, StringComparison.Ordinal));
            if (fact?.Derive.Builtin?.StartsWith("order_", StringComparison.Ordinal) == true)
            {
                // The ordered study's region, contrast or code is on the order itself: nothing for the clinician to answer.
                continue;
            }

            items.Add(new QuestionnaireItem
            {
                LinkId = key,
                Text = Text(test, fact, catalog, region),
                Type = AnswerType(test, fact),
                Required = false,
                AnswerOption = test.In.Count > 0 || fact?.Type != FactType.Choice || fact.Choices.Count == 0
                    ? null
                    : fact.Choices.Select(c => new QuestionnaireAnswerOption { ValueCoding = new Coding { Code = c, Display = c } }).ToList(),
                // In an ALL chain a later question only matters once the earlier one is answered yes.
                EnableWhen = chained && previous is not null && items.Last().Type == "boolean"
                    ? [new QuestionnaireEnableWhen { Question = previous, Operator = "=", AnswerBoolean = true }]
                    : null,
            });
            previous = key;
        }

        if (rule.DefersTo is { } other)
        {
            items.Add(new QuestionnaireItem
            {
                LinkId = $"{rule.Id}.review",
                Text = $"This case is decided by {other}, which this service does not encode. Are that guideline's criteria documented?",
                Type = "boolean",
            });
        }

        return new Questionnaire
        {
            ResourceType = "Questionnaire",
            Id = $"{policy.Id}.{rule.Id}",
            Url = CanonicalUrl(policy, rule, baseUrl),
            Version = policy.Version,
            Name = string.Concat($"{policy.Id}_{rule.Id}".Where(char.IsLetterOrDigit)),
            Title = $"{policy.Payer} {rule.Section}: {rule.Title}",
            Status = "active",
            SubjectType = ["Patient"],
            Publisher = "ImagingCds",
            Description = $"Documentation for {policy.Payer} {policy.Title} (version {policy.Version}), {rule.Section}. Generated from the policy's rule; answers become facts on the next evaluation.",
            Item = items,
        };
    }

    public static string CanonicalUrl(Policy policy, Rule rule, string baseUrl)
    {
        ArgumentNullException.ThrowIfNull(policy);
        ArgumentNullException.ThrowIfNull(rule);
        return $"{baseUrl}/fhir/Questionnaire/{policy.Id}.{rule.Id}";
    }

    /// <summary>
    /// A QuestionnaireResponse (status in-progress) with every item the record already decides answered and marked as
    /// coming from the record, with its evidence; the open items are left for the clinician.
    /// </summary>
    public static QuestionnaireResponse Prefilled(Questionnaire questionnaire, RuleResult decided, string patientId, string authored)
    {
        ArgumentNullException.ThrowIfNull(questionnaire);
        ArgumentNullException.ThrowIfNull(decided);
        var known = decided.Facts.Where(f => f.Truth != Truth.Unknown).ToDictionary(f => f.Key, StringComparer.Ordinal);
        var items = new List<QuestionnaireResponseItem>();
        foreach (var item in questionnaire.Item ?? [])
        {
            if (item.LinkId is not { } linkId || !known.TryGetValue(linkId, out var use) || item.Type != "boolean")
            {
                continue;
            }

            var evidence = string.Join("; ", use.Evidence.Take(3).Select(e => $"{e.What}{(e.Code is null ? "" : $" ({e.System} {e.Code})")}{(e.Date is null ? "" : $", {e.Date}")} [{e.Reference}]"));
            items.Add(new QuestionnaireResponseItem
            {
                LinkId = linkId,
                Text = item.Text,
                Answer =
                [
                    new QuestionnaireResponseAnswer
                    {
                        ValueBoolean = use.Truth == Truth.True,
                        Extension =
                        [
                            new Extension
                            {
                                Url = InformationOrigin,
                                Extension =
                                [
                                    new Extension { Url = "source", ValueCode = "auto" },
                                    new Extension { Url = "evidence", ValueString = evidence.Length > 0 ? evidence : "from the patient's record" },
                                ],
                            },
                        ],
                    },
                ],
            });
        }

        return new QuestionnaireResponse
        {
            ResourceType = "QuestionnaireResponse",
            Questionnaire = $"{questionnaire.Url}|{questionnaire.Version}",
            Status = "in-progress",
            Subject = new Reference { ReferenceText = $"Patient/{patientId}" },
            Authored = FhirDateTime.TryParse(authored),
            Item = items.Count == 0 ? null : items,
        };
    }

    private static string Text(FactTest test, FactDefinition? fact, FactCatalog catalog, string region)
    {
        var question = fact?.Question ?? test.Fact;
        var qualifiers = FactTestWording.Qualifiers(test, other =>
            catalog.Facts.GetValueOrDefault(other.Replace("{region}", region, StringComparison.Ordinal))?.Question.TrimEnd('?') ?? other);
        return qualifiers.Count == 0 ? question : $"{question} ({string.Join("; ", qualifiers)})";
    }

    /// <summary>Yes/no for tests (a threshold or a choice test is answered "does it hold?"); numbers for plain number facts.</summary>
    private static string AnswerType(FactTest test, FactDefinition? fact) =>
        fact?.Type == FactType.Number && test.Compare is null ? "decimal" :
        fact?.Type == FactType.Choice && test.In.Count == 0 ? "choice" : "boolean";

    /// <summary>Every fact test of a condition tree, definitions expanded, with whether it sits in an ALL chain.</summary>
    private static IEnumerable<(FactTest Test, bool Chained)> Leaves(Predicate predicate, Policy policy, bool chained) => predicate switch
    {
        FactTest test => [(test, chained)],
        AllOf all => all.Items.SelectMany(i => Leaves(i, policy, chained: i is FactTest)),
        AnyOf any => any.Items.SelectMany(i => Leaves(i, policy, chained: false)),
        AtLeastOf atLeast => atLeast.Items.SelectMany(i => Leaves(i, policy, chained: false)),
        NotOf not => Leaves(not.Item, policy, chained: false),
        DefinitionRef reference => Leaves(policy.Definitions[reference.Name].When, policy, chained),
        _ => [],
    };
}
