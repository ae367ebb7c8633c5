using System.Globalization;
using ImagingCds.LoadTest;
using ImagingCds.Tests.Support;

namespace ImagingCds.Tests.Operations;

/// <summary>The load tool's closed-loop hook/floor comparison (--compare-floor) in miniature, against the service on loopback.</summary>
[Collection(nameof(TimingSensitive))]
public sealed class FloorComparisonTests
{
    [Fact]
    public async Task RunAsync_ServiceWithFloor_ZeroErrorsOrderedPercentilesAndFloorOfTheHooksSize()
    {
        await using var service = new LoopbackService(("Performance:FloorEndpoint", "true"));
        var options = FloorComparisonOptions.Parse(["--url", service.Address, "--connections", "1,4", "--seconds", "0.5", "--warmup-seconds", "0.2",
            "--pid", Environment.ProcessId.ToString(CultureInfo.InvariantCulture)]);
        using var output = new StringWriter();

        var report = await FloorComparison.RunAsync(options, output);

        Assert.True(report.ExitCode == 0, output.ToString());
        Assert.Equal([1, 4], report.Levels.Select(l => l.Connections));
        foreach (var run in report.Levels.SelectMany(l => new[] { l.Hook, l.Floor }))
        {
            Assert.Equal(0, run.Errors);
            Assert.True(run.LatenciesMs.Count > 0 && run.Throughput > 0, output.ToString());
            Assert.True(run.P50 > 0 && run.P50 <= run.P99 && run.P99 <= run.Max, output.ToString());
        }

        Assert.True(report.AnswerBytes > 1000, output.ToString()); // the hook's real answer, cards and all
        Assert.NotNull(report.PeakWorkingSetBytes);
        Assert.Contains("| connections | hook req/s |", output.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_FloorNotEnabled_FailsNamingTheSetting()
    {
        await using var service = new LoopbackService();
        var options = FloorComparisonOptions.Parse(["--url", service.Address, "--connections", "1", "--seconds", "0.2"]);
        using var output = new StringWriter();

        var report = await FloorComparison.RunAsync(options, output);

        Assert.Equal(1, report.ExitCode);
        Assert.Contains("Performance__FloorEndpoint=true", Assert.Single(report.Failures), StringComparison.Ordinal);
    }

    [Fact]
    public void Merge_Slices_AddCountsAndTimesAndMergeLatenciesInOrder()
    {
        var merged = RunResult.Merge([
            new RunResult(3, 1, 0, TimeSpan.FromSeconds(1), [1.0, 5.0]),
            new RunResult(2, 0, 0, TimeSpan.FromSeconds(1), [2.0, 3.0]),
        ]);

        Assert.Equal((5, 1, TimeSpan.FromSeconds(2)), (merged.Sent, merged.Errors, merged.Elapsed));
        Assert.Equal([1.0, 2.0, 3.0, 5.0], merged.LatenciesMs);
        Assert.Equal(2.0, merged.Throughput);
    }

    [Theory]
    [InlineData(200, """{"cards":[{"extension":{"appropriateness":[{"verdict":"appropriate"},{"verdict":"needs-documentation"}]}}]}""", null)]
    [InlineData(200, """{"cards":[{"extension":{"appropriateness":[{"verdict":"appropriate"},{"verdict":"error"}]}}]}""", "200 without real verdicts (1 card(s); verdicts: appropriate x1, error x1)")]
    [InlineData(200, """{"cards":[]}""", "200 without real verdicts (0 card(s); verdicts: none)")]
    [InlineData(500, "{}", "status 500")]
    [InlineData(null, "", "no answer")]
    public void RealVerdicts_OnlyA200WithCardsAndNoErrorVerdictCounts(int? status, string body, string? expected) =>
        Assert.Equal(expected, AnswerChecks.RealVerdicts(new Answer(status, 1, System.Text.Encoding.UTF8.GetBytes(body))));

    [Fact]
    public void Size_OnlyA200OfExactlyThatSizeCounts()
    {
        var check = AnswerChecks.Size(4);

        Assert.Null(check(new Answer(200, 1, [1, 2, 3, 4])));
        Assert.Equal("200 of 3 bytes, not 4", check(new Answer(200, 1, [1, 2, 3])));
    }

    [Theory]
    [InlineData("--compare-floor")]
    [InlineData("--fhir-mode")]
    public void Parse_NonLoopbackUrl_IsRefusedInEveryMode(string mode)
    {
        string[] args = ["--url", "http://10.0.0.5:8080"];

        var error = Assert.Throws<ArgumentException>(() => mode == FloorComparisonOptions.Flag ? (object)FloorComparisonOptions.Parse(args) : FhirModeOptions.Parse(args));

        Assert.Contains("loopback", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_CompareOptions_ReadsLevelsAndSeconds()
    {
        var options = FloorComparisonOptions.Parse(["--url", "http://127.0.0.1:5000", "--connections", "1, 16,64", "--seconds", "2.5s"]);

        Assert.Equal([1, 16, 64], options.Connections);
        Assert.Equal(TimeSpan.FromSeconds(2.5), options.Duration);
        Assert.Equal(new Uri("http://127.0.0.1:5000/cds-services/spine-mri-appropriateness/floor?bytes=123"), options.FloorEndpoint(123));
    }
}
