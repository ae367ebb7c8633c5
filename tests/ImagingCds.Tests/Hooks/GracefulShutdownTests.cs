using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using ImagingCds.Hooks;
using ImagingCds.Tests.Support;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ImagingCds.Tests.Hooks;

/// <summary>
/// The service on a real loopback port (Kestrel), stopped as SIGTERM stops it: <c>StopApplication</c>, upon which
/// <c>app.Run()</c> in <c>Program</c> (run by the test host as it runs in production) stops the host and returns.
/// </summary>
[Collection(nameof(TimingSensitive))]
public sealed class GracefulShutdownTests
{
    private const string ServiceUrl = "cds-services/spine-mri-appropriateness";
    private static readonly TimeSpan FhirLatency = TimeSpan.FromMilliseconds(300);

    [Fact]
    public async Task StopApplication_HookInFlight_AnswersItThenRefusesNewRequests()
    {
        await using var fhir = await FakeFhirServer.StartAsync();
        fhir.Latency = FhirLatency;
        var logs = new CapturingLoggerProvider();
        await using var service = new CdsServiceFactory();
        await using var live = service.WithWebHostBuilder(b => b
            .UseSetting("Fhir:RecordBudget", "00:00:10")
            .UseSetting("Fhir:AttemptTimeout", "00:00:05")
            .ConfigureLogging(logging => logging.AddProvider(logs)));
        var baseAddress = new Uri(live.StartOnLoopback().TrimEnd('/') + "/");
        var lifetime = live.Services.GetRequiredService<IHostApplicationLifetime>();
        var shutdownTimeout = live.Services.GetRequiredService<IOptions<HostOptions>>().Value.ShutdownTimeout;
        var stopped = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        lifetime.ApplicationStopped.Register(() => stopped.SetResult());
        using var client = new HttpClient { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(30) };

        var inFlight = client.PostAsync(ServiceUrl, Hook(fhir.BaseUrl));
        await WhenAsync(() => fhir.Requests.Count > 0, "the hook never reached the FHIR server");
        var stopping = Stopwatch.StartNew();
        lifetime.StopApplication();

        using var answer = await inFlight;
        var body = await answer.Content.ReadAsStringAsync();
        Assert.True(answer.StatusCode == HttpStatusCode.OK, $"in-flight hook: HTTP {(int)answer.StatusCode}: {body}");
        var verdicts = CdsHygiene.AssertCdsResponse(body)["cards"]!.AsArray()
            .SelectMany(card => card?["extension"]?["appropriateness"]?.AsArray() ?? [])
            .Select(entry => (string?)entry?["verdict"])
            .ToArray();
        Assert.NotEmpty(verdicts);
        Assert.DoesNotContain("error", verdicts);
        await stopped.Task.WaitAsync(TimeSpan.FromSeconds(20));
        Assert.True(stopping.Elapsed < shutdownTimeout, $"shutdown took {stopping.Elapsed}, more than the {shutdownTimeout} allowed");

        using var fresh = new HttpClient { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(5) };
        await Assert.ThrowsAsync<HttpRequestException>(() => fresh.GetAsync("healthz"));

        // Nothing failed on the way down, and the hook's issued cards were queued and written (IssuedCards warns otherwise).
        Assert.DoesNotContain(logs.Entries, e => e.Level >= LogLevel.Error || (e.Level >= LogLevel.Warning && e.Category.StartsWith("ImagingCds.", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task HostOptions_NotConfigured_ShutdownTimeoutIs15Seconds()
    {
        await using var service = new CdsServiceFactory();

        var options = service.Services.GetRequiredService<IOptions<HostOptions>>().Value;

        Assert.Equal(TimeSpan.FromSeconds(15), options.ShutdownTimeout);
        Assert.Equal(HookEndpoints.DefaultShutdownTimeout, options.ShutdownTimeout);
    }

    [Fact]
    public async Task HostOptions_ShutdownTimeoutSecondsConfigured_WinsOverTheDefault()
    {
        await using var service = new CdsServiceFactory();
        using var configured = service.WithWebHostBuilder(b => b.UseSetting("shutdownTimeoutSeconds", "42"));

        var options = configured.Services.GetRequiredService<IOptions<HostOptions>>().Value;

        Assert.Equal(TimeSpan.FromSeconds(42), options.ShutdownTimeout);
    }

    /// <summary>A lumbar MRI order with no prefetch: every part of the record is read from the (slow) FHIR server.</summary>
    private static StringContent Hook(Uri fhirServer)
    {
        var request = Some.OrderSignRequest();
        request["fhirServer"] = fhirServer.AbsoluteUri;
        request["fhirAuthorization"] = new JsonObject { ["access_token"] = "token-abc", ["token_type"] = "Bearer", ["scope"] = "patient/*.read" };
        return new StringContent(request.ToJsonString(), Encoding.UTF8, "application/json");
    }

    private static async Task WhenAsync(Func<bool> condition, string failure)
    {
        var waited = Stopwatch.StartNew();
        while (!condition())
        {
            Assert.True(waited.Elapsed < TimeSpan.FromSeconds(10), failure);
            await Task.Delay(5);
        }
    }
}
