using ImagingCds.LoadTest;
using ImagingCds.Tests.Support;

namespace ImagingCds.Tests.Operations;

/// <summary>The load tool (tools/LoadTest, scripts/load-test.sh) in miniature: its core against the service on a loopback Kestrel port.</summary>
[Collection(nameof(TimingSensitive))]
public sealed class LoadTestToolTests
{
    [Fact]
    public async Task RunAsync_LoopbackService_ZeroErrorsAndOrderedPercentiles()
    {
        await using var service = new LoopbackService();
        var options = LoadOptions.Parse(["--url", service.Address, "--rate", "20", "--duration", "3s", "--runs", "1", "--concurrency", "16",
            "--body", Repo.File(LoadOptions.DefaultBody), "--pid", Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        using var output = new StringWriter();

        var report = await LoadTool.RunAsync(options, output);

        var run = Assert.Single(report.Runs).Result;
        Assert.True(report.ExitCode == 0, output.ToString());
        Assert.Equal(60, run.Sent);
        Assert.Equal(0, run.Errors);
        Assert.Equal(60, run.LatenciesMs.Count);
        Assert.True(run.P50 > 0 && run.P50 <= run.P95 && run.P95 <= run.P99 && run.P99 <= run.Max, output.ToString());
        Assert.NotNull(Assert.Single(report.Runs).WorkingSetBytes);
    }

    [Theory]
    [InlineData("http://10.0.0.5:8080")]
    [InlineData("http://example.org")]
    [InlineData("http://0.0.0.0:5000")]
    [InlineData("http://[2001:db8::1]:5000")]
    public void Parse_NonLoopbackUrl_IsRefused(string url)
    {
        var error = Assert.Throws<ArgumentException>(() => LoadOptions.Parse(["--url", url]));

        Assert.Contains("loopback", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("http://127.0.0.1:5000")]
    [InlineData("http://127.8.9.10:5000")]
    [InlineData("http://[::1]:5000")]
    [InlineData("http://localhost:5000")]
    public void Parse_LoopbackUrl_IsAccepted(string url) => Assert.Equal(new Uri(url), LoadOptions.Parse(["--url", url]).Url);

    [Fact]
    public void Percentile_NearestRank_OverSortedLatencies()
    {
        var result = new RunResult(100, 0, 0, TimeSpan.FromSeconds(1), Enumerable.Range(1, 100).Select(i => (double)i).ToArray());

        Assert.Equal((50.0, 95.0, 99.0, 100.0), (result.P50, result.P95, result.P99, result.Max));
    }
}
