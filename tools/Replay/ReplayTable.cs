using System.Globalization;
using System.Text;

namespace ImagingCds.Replay;

/// <summary>The replay as a plain-text table: one row per expectation, then the problems and a summary line.</summary>
public static class ReplayTable
{
    private static readonly string[] Header = ["result", "scenario", "order", "policy", "expected", "got", "time ms"];

    public static string Render(ReplayResult replay)
    {
        ArgumentNullException.ThrowIfNull(replay);
        var rows = new List<string[]> { Header };
        foreach (var scenario in replay.Scenarios)
        {
            var ms = scenario.Elapsed.TotalMilliseconds.ToString("0", CultureInfo.InvariantCulture);
            if (scenario.Error is not null)
            {
                rows.Add(["FAIL", scenario.Case.Name, "-", "-", "-", "no answer", ms]);
                continue;
            }

            foreach (var result in scenario.Results)
            {
                rows.Add([result.Passed ? "ok" : "FAIL", scenario.Case.Name, result.Order, result.Policy, result.Expected, result.Got, ms]);
            }
        }

        var widths = Enumerable.Range(0, Header.Length).Select(c => rows.Max(r => r[c].Length)).ToArray();
        var text = new StringBuilder();
        foreach (var row in rows)
        {
            // Time is right-aligned; the last column needs no padding after it.
            var cells = row.Select((cell, c) => c == Header.Length - 1 ? cell.PadLeft(widths[c]) : cell.PadRight(widths[c]));
            text.Append(string.Join("  ", cells).TrimEnd()).Append('\n');
        }

        var failed = replay.Scenarios.Where(s => !s.Passed).ToArray();
        if (failed.Length > 0)
        {
            text.Append("\nProblems:\n");
            foreach (var scenario in failed)
            {
                text.Append("  ").Append(scenario.Case.Name).Append(" (").Append(scenario.Case.Source).Append(")\n");
                foreach (var problem in scenario.Error is { } error ? [error] : scenario.Results.Where(r => !r.Passed).Select(r => r.Problem!))
                {
                    text.Append("    ").Append(problem).Append('\n');
                }
            }
        }

        text.Append(CultureInfo.InvariantCulture, $"\n{replay.Scenarios.Count} scenarios in {replay.Elapsed.TotalSeconds:0.0} s: {replay.Passed} passed, {replay.Failed} failed\n");
        return text.ToString();
    }
}
