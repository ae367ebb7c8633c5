using ImagingCds.Cards;
using ImagingCds.Facts;
using ImagingCds.Fhir;
using ImagingCds.Guidelines;
using ImagingCds.Tests.Support;

namespace ImagingCds.Tests.Cards;

public sealed class DocumentationPromptTests
{
    private static readonly Lazy<GuidelineLibrary> Library = new(() => GuidelineLibrary.Load(Repo.File("guidelines")));

    public static TheoryData<string> Policies()
    {
        var data = new TheoryData<string>();
        foreach (var id in GuidelineLibrary.RequiredPolicies)
        {
            data.Add(id);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Policies))]
    public void Questionnaire_EveryIndicationOfEveryPolicy_IsValidR4(string policyId)
    {
        var policy = Library.Value.Policies.Single(p => p.Id == policyId);
        foreach (var rule in policy.Rules.Where(r => r.Kind == RuleKind.Indication))
        {
            var region = rule.Regions.FirstOrDefault() ?? "lumbar";
            var questionnaire = DocumentationPrompt.Questionnaire(policy, rule, Library.Value.Catalog, region, "https://cds.example.org");
            var items = questionnaire.Item ?? [];
            var where = $"{policyId} {rule.Id}";

            Assert.Equal("Questionnaire", questionnaire.ResourceType);
            Assert.Equal($"https://cds.example.org/fhir/Questionnaire/{policy.Id}.{rule.Id}", questionnaire.Url);
            Assert.Equal(policy.Version, questionnaire.Version);
            Assert.Equal("active", questionnaire.Status);
            if (items.Count == 0)
            {
                // Only a rule about the ordered study itself (region, contrast) has nothing to ask; the order always answers it.
                Assert.Null(rule.DefersTo);
                continue;
            }

            Assert.True(items.Select(i => i.LinkId).Distinct().Count() == items.Count, $"{where}: duplicate linkIds");
            Assert.All(items, i => Assert.Contains(i.Type, new[] { "boolean", "decimal", "choice" }));
            Assert.All(items, i => Assert.False(string.IsNullOrWhiteSpace(i.Text), $"{where}: {i.LinkId} has no text"));
            Assert.All(items.Where(i => i.Type == "choice"), i => Assert.NotEmpty(i.AnswerOption ?? []));
            for (var index = 0; index < items.Count; index++)
            {
                foreach (var condition in items[index].EnableWhen ?? [])
                {
                    // An enableWhen must point at an earlier boolean question.
                    var target = items.Take(index).SingleOrDefault(i => i.LinkId == condition.Question);
                    Assert.True(target is { Type: "boolean" }, $"{where}: enableWhen of {items[index].LinkId} points at '{condition.Question}'");
                    Assert.Equal("=", condition.Operator);
                }
            }

            // Valid FHIR JSON that our own reader reads back.
            Assert.IsType<Questionnaire>(FhirJson.ReadResource(FhirJson.ToElement(questionnaire), "test", out var issue));
            Assert.Null(issue);
        }
    }

    [Fact]
    public void Prefilled_AnswersWhatTheRecordShows_WithItsEvidence_AndLeavesTheRestOpen()
    {
        var policy = Library.Value.Policies.First(p => p.Rules.Any(r => r.Kind == RuleKind.Indication && r.When is AllOf { Items.Count: >= 2 }));
        var rule = policy.Rules.First(r => r.Kind == RuleKind.Indication && r.When is AllOf { Items.Count: >= 2 });
        var questionnaire = DocumentationPrompt.Questionnaire(policy, rule, Library.Value.Catalog, "lumbar", "https://cds.example.org");
        var known = questionnaire.Item![0].LinkId!;
        var evidence = new Evidence("Condition/c1", "Low back pain", "ICD-10-CM", "M54.50", "2026-10-01");
        var decided = new RuleResult(rule, Truth.Unknown, false, [new FactUse(known, known, Truth.True, [evidence])]);

        var response = DocumentationPrompt.Prefilled(questionnaire, decided, "pat-1", "2026-11-20T10:00:00Z");

        var item = Assert.Single(response.Item ?? []);
        Assert.Equal(known, item.LinkId);
        var answer = Assert.Single(item.Answer ?? []);
        Assert.True(answer.ValueBoolean);
        var origin = Assert.Single(answer.Extension ?? []);
        Assert.Equal(DocumentationPrompt.InformationOrigin, origin.Url);
        Assert.Equal("auto", origin.Extension!.Single(e => e.Url == "source").ValueCode);
        Assert.Contains("M54.50", origin.Extension!.Single(e => e.Url == "evidence").ValueString, StringComparison.Ordinal);
        Assert.Equal("in-progress", response.Status);
        Assert.Equal($"{questionnaire.Url}|{questionnaire.Version}", response.Questionnaire);
    }
}
