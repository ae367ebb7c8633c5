using System.Globalization;
using System.Text;
using System.Xml;
using System.Xml.Linq;

namespace ImagingCds.Replay;

/// <summary>
/// The replay as JUnit XML, the format CI servers read: one <c>testcase</c> per scenario (<c>classname</c> its folder,
/// <c>name</c> its name), a <c>failure</c> listing each unmet expectation, an <c>error</c> when the call gave no answer.
/// </summary>
public static class JUnitReport
{
    public static XDocument Render(ReplayResult replay, string suiteName)
    {
        ArgumentNullException.ThrowIfNull(replay);
        var cases = replay.Scenarios.Select(Case).ToArray();
        var failures = replay.Scenarios.Count(s => s.Error is null && !s.Passed).ToString(CultureInfo.InvariantCulture);
        var errors = replay.Scenarios.Count(s => s.Error is not null).ToString(CultureInfo.InvariantCulture);
        var tests = replay.Scenarios.Count.ToString(CultureInfo.InvariantCulture);
        var time = Seconds(replay.Elapsed);
        return new XDocument(
            new XDeclaration("1.0", "utf-8", null),
            new XElement("testsuites",
                new XAttribute("name", "ImagingCds fixture replay"),
                new XAttribute("tests", tests), new XAttribute("failures", failures), new XAttribute("errors", errors), new XAttribute("time", time),
                new XElement("testsuite",
                    new XAttribute("name", suiteName),
                    new XAttribute("tests", tests), new XAttribute("failures", failures), new XAttribute("errors", errors), new XAttribute("skipped", "0"),
                    new XAttribute("time", time),
                    cases)));
    }

    public static void Write(ReplayResult replay, string suiteName, string path)
    {
        var folder = Path.GetDirectoryName(Path.GetFullPath(path));
        if (folder is not null)
        {
            Directory.CreateDirectory(folder);
        }

        using var writer = XmlWriter.Create(path, new XmlWriterSettings { Encoding = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false), Indent = true });
        Render(replay, suiteName).Save(writer);
    }

    private static XElement Case(ScenarioResult scenario)
    {
        var slash = scenario.Case.Name.LastIndexOf('/');
        var element = new XElement("testcase",
            new XAttribute("classname", slash > 0 ? scenario.Case.Name[..slash] : "fixtures"),
            new XAttribute("name", slash > 0 ? scenario.Case.Name[(slash + 1)..] : scenario.Case.Name),
            new XAttribute("file", scenario.Case.Source),
            new XAttribute("time", Seconds(scenario.Elapsed)));
        if (scenario.Error is { } error)
        {
            element.Add(new XElement("error", new XAttribute("message", error), error));
        }
        else if (!scenario.Passed)
        {
            var problems = scenario.Results.Where(r => !r.Passed).Select(r => r.Problem!).ToArray();
            element.Add(new XElement("failure", new XAttribute("message", problems[0]), string.Join('\n', problems)));
        }

        element.Add(new XElement("system-out", string.Join('\n', scenario.Results.Select(r => $"{r.Order} {r.Policy}: expected {r.Expected}, got {r.Got}"))));
        return element;
    }

    private static string Seconds(TimeSpan elapsed) => elapsed.TotalSeconds.ToString("0.000", CultureInfo.InvariantCulture);
}
