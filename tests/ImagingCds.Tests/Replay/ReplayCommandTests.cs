using System.Text.RegularExpressions;
using System.Xml.Linq;
using ImagingCds.Replay;
using ImagingCds.Tests.Support;

namespace ImagingCds.Tests.Replay;

/// <summary>The replay command on small fixture folders: the table, the exit code and the JUnit XML.</summary>
public sealed class ReplayCommandTests(CdsServiceFactory service) : IClassFixture<CdsServiceFactory>, IDisposable
{
    private const string CompactScenario = "fhir-fixtures/scenarios/evicore-cigna-spine/evicore-sp-1.2-foot-drop.yaml";
    private const string FolderScenario = "fhir-fixtures/examples/lumbar-foot-drop";

    private readonly string _folder = Path.Combine(Path.GetTempPath(), "imagingcds-replay-tests-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_folder))
        {
            Directory.Delete(_folder, recursive: true);
        }
    }

    /// <summary>Two scenarios, one of each kind: a compact YAML file and a request.json + expected.json folder.</summary>
    private string Fixtures(Func<string, string>? editCompact = null)
    {
        var fixtures = Path.Combine(_folder, "fixtures");
        Directory.CreateDirectory(Path.Combine(fixtures, "compact"));
        Directory.CreateDirectory(Path.Combine(fixtures, "folder", "lumbar-foot-drop"));
        var yaml = File.ReadAllText(Repo.File(CompactScenario));
        File.WriteAllText(Path.Combine(fixtures, "compact", "foot-drop.yaml"), editCompact?.Invoke(yaml) ?? yaml);
        foreach (var file in new[] { "request.json", "expected.json" })
        {
            File.Copy(Repo.File($"{FolderScenario}/{file}"), Path.Combine(fixtures, "folder", "lumbar-foot-drop", file));
        }

        return fixtures;
    }

    private async Task<(int Exit, string Output, string Error)> RunAsync(ReplayArguments arguments)
    {
        using var client = service.CreateClient();
        using var output = new StringWriter();
        using var error = new StringWriter();
        var exit = await ReplayCommand.RunAsync(arguments, client, output, error, CancellationToken.None);
        return (exit, output.ToString(), error.ToString());
    }

    [Fact]
    public async Task RunAsync_ExpectationsMet_PrintsTableWritesJUnitAndExitsZero()
    {
        var junit = Path.Combine(_folder, "out", "replay.xml");
        var (exit, output, error) = await RunAsync(new ReplayArguments(Fixtures(), null, junit));

        Assert.True(exit == ReplayCommand.Success, output + error);
        var lines = output.Split('\n');
        Assert.Matches(@"^result\s+scenario\s+order\s+policy\s+expected\s+got\s+time ms$", lines[0]);
        Assert.Contains(lines, l => Regex.IsMatch(l, @"^ok\s+compact/foot-drop\s+mri-1\s+evicore-cigna-spine\s+appropriate \(SP-1\.2\)\s+appropriate\s+\d+$"));
        Assert.Contains(lines, l => Regex.IsMatch(l, @"^ok\s+folder/lumbar-foot-drop\s+sr-lumbar-mri\s+evicore-cigna-spine\s+appropriate \(SP-1\.2\)\s+appropriate\s+\d+$"));
        Assert.Contains(lines, l => Regex.IsMatch(l, @"^ok\s+folder/lumbar-foot-drop\s+sr-lumbar-mri\s+wps-spine-mri\s+no entry\s+no entry\s+\d+$"));
        Assert.DoesNotContain("FAIL", output, StringComparison.Ordinal);
        Assert.Matches(@"\n2 scenarios in \d+\.\d s: 2 passed, 0 failed\n", output);

        var suites = XDocument.Load(junit).Root!;
        Assert.Equal("testsuites", suites.Name.LocalName);
        Assert.Equal(("2", "0", "0"), ((string?)suites.Attribute("tests"), (string?)suites.Attribute("failures"), (string?)suites.Attribute("errors")));
        var cases = suites.Descendants("testcase").ToArray();
        Assert.Equal(["compact/foot-drop", "folder/lumbar-foot-drop"], cases.Select(c => $"{c.Attribute("classname")!.Value}/{c.Attribute("name")!.Value}"));
        Assert.All(cases, c => Assert.Empty(c.Elements("failure").Concat(c.Elements("error"))));
    }

    [Fact]
    public async Task RunAsync_WrongExpectation_FailsTheScenarioAndExitsNonZero()
    {
        var junit = Path.Combine(_folder, "replay.xml");
        var fixtures = Fixtures(yaml => yaml.Replace("verdict: appropriate", "verdict: not-appropriate", StringComparison.Ordinal));
        var (exit, output, _) = await RunAsync(new ReplayArguments(fixtures, null, junit));

        Assert.Equal(ReplayCommand.Mismatch, exit);
        Assert.Matches(@"\nFAIL\s+compact/foot-drop\s+mri-1\s+evicore-cigna-spine\s+not-appropriate \(SP-1\.2\)\s+appropriate\s+\d+\n", output);
        Assert.Matches(@"\nok\s+folder/lumbar-foot-drop\s+sr-lumbar-mri\s+evicore-cigna-spine", output);
        Assert.Contains("Problems:\n  compact/foot-drop (", output, StringComparison.Ordinal);
        Assert.Contains("mri-1 / evicore-cigna-spine: expected not-appropriate (SP-1.2), got appropriate", output, StringComparison.Ordinal);
        Assert.Contains(": 1 passed, 1 failed\n", output, StringComparison.Ordinal);

        var suites = XDocument.Load(junit).Root!;
        Assert.Equal(("2", "1"), ((string?)suites.Attribute("tests"), (string?)suites.Attribute("failures")));
        var failure = Assert.Single(suites.Descendants("failure"));
        Assert.Equal("foot-drop", failure.Parent!.Attribute("name")!.Value);
        Assert.Contains("expected not-appropriate (SP-1.2), got appropriate", failure.Attribute("message")!.Value, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_ServiceUnreachable_ReportsAnErrorPerScenarioAndExitsNonZero()
    {
        // A port nothing listens on: the loopback connection is refused at once.
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        var port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        var junit = Path.Combine(_folder, "replay.xml");
        using var output = new StringWriter();
        using var error = new StringWriter();

        var exit = await ReplayCommand.RunAsync([Fixtures(), "--service", $"http://127.0.0.1:{port}/", "--junit", junit], output, error, CancellationToken.None);

        Assert.Equal(ReplayCommand.Mismatch, exit);
        Assert.Contains("the service could not be reached", output.ToString(), StringComparison.Ordinal);
        Assert.Equal("2", XDocument.Load(junit).Root!.Attribute("errors")!.Value);
    }

    [Fact]
    public async Task RunAsync_CommandLineWithoutService_HostsTheServiceInProcess()
    {
        using var output = new StringWriter();
        using var error = new StringWriter();

        var exit = await ReplayCommand.RunAsync([Fixtures()], output, error, CancellationToken.None);

        Assert.True(exit == ReplayCommand.Success, output.ToString() + error);
        Assert.Contains("2 scenarios in", output.ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(new string[0], "no fixtures folder given")]
    [InlineData(new[] { "a", "b" }, "unexpected argument 'b'")]
    [InlineData(new[] { "a", "--junit" }, "--junit needs a value")]
    [InlineData(new[] { "a", "--service", "not a url" }, "--service needs an absolute http(s) URL")]
    [InlineData(new[] { "a", "--verbose" }, "unknown option --verbose")]
    public async Task RunAsync_BadCommandLine_PrintsUsageAndExitsTwo(string[] args, string message)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();

        var exit = await ReplayCommand.RunAsync(args, output, error, CancellationToken.None);

        Assert.Equal(ReplayCommand.UsageError, exit);
        Assert.Contains(message, error.ToString(), StringComparison.Ordinal);
        Assert.Contains("usage: dotnet run --project tools/Replay", error.ToString(), StringComparison.Ordinal);
        Assert.Empty(output.ToString());
    }

    [Fact]
    public async Task RunAsync_NoScenarios_ExitsTwo()
    {
        Directory.CreateDirectory(_folder);
        var (exit, _, error) = await RunAsync(new ReplayArguments(_folder, null, null));

        Assert.Equal(ReplayCommand.UsageError, exit);
        Assert.Contains("no scenarios under", error, StringComparison.Ordinal);
    }
}
