using System.Text;
using ImagingCds.Guidelines;
using ImagingCds.Scenarios;
using ImagingCds.Hooks;
using ImagingCds.Record;

namespace ImagingCds.Tests.Fixtures;

/// <summary>Runs a scenario through the pipeline in process (no HTTP), for traces and the coverage report.</summary>
public static class ScenarioEvaluation
{
    public static IReadOnlyList<Finding> Findings(Scenario scenario, GuidelineLibrary library, IReadOnlyList<PayerRoute> routes)
    {
        ArgumentNullException.ThrowIfNull(scenario);
        ArgumentNullException.ThrowIfNull(library);
        var request = ScenarioFhir.Request(scenario);
        var parsed = HookRequestParser.Parse(Encoding.UTF8.GetBytes(request.ToJsonString()), new HookOptions(), out var error)
            ?? throw new InvalidOperationException($"{scenario.Id}: the expanded request is invalid: {error?.Message}");
        var orders = DraftOrders.InScope(parsed.Context.DraftOrders, library.Cpt, DateOnly.Parse(scenario.Date, System.Globalization.CultureInfo.InvariantCulture));
        var builder = new RecordBuilder(parsed.Context.PatientId);
        foreach (var (key, value) in parsed.Prefetch)
        {
            builder.AddJson(value, key);
        }

        return Appropriateness.Evaluate(builder.Build(), orders, library, routes);
    }

    public static IEnumerable<Scenario> All(string folder) =>
        Directory.EnumerateFiles(folder, "*.yaml", SearchOption.AllDirectories).Order(StringComparer.Ordinal).Select(Scenario.Load);

    /// <summary>Each finding's rules, truth values and decided facts, as text for a failure message.</summary>
    public static string Trace(IEnumerable<Finding> findings)
    {
        var text = new StringBuilder();
        foreach (var finding in findings)
        {
            text.AppendLine($"{finding.Order} {finding.PolicyId}: {finding.Verdict} {finding.Error}");
            foreach (var rule in finding.Trace)
            {
                text.AppendLine($"  [{rule.Truth}{(rule.ExceptionDocumented ? ", exception documented" : "")}] {rule.Rule.Kind} {rule.Rule.Id} ({rule.Rule.Section})");
                foreach (var fact in rule.Facts.Where(f => f.Truth != ImagingCds.Facts.Truth.Unknown))
                {
                    text.AppendLine($"      {fact.Key} = {fact.Truth} {string.Join(", ", fact.Evidence.Select(e => $"{e.Reference} {e.Code} {e.Date}"))}");
                }
            }

            foreach (var missing in finding.Missing)
            {
                text.AppendLine($"  missing: {missing.Key}");
            }
        }

        return text.ToString();
    }
}
