using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using ImagingCds.Scenarios;

namespace ImagingCds.Replay;

/// <summary>Posts each scenario's order-sign request to the service and checks the answer against its expectations.</summary>
public static class ScenarioReplayer
{
    /// <summary>The hook's path under the service's base URL.</summary>
    public const string HookPath = "cds-services/spine-mri-appropriateness";

    /// <summary>
    /// Replays <paramref name="cases"/> one after another (so each time is that call's alone) through
    /// <paramref name="service"/>, whose <see cref="HttpClient.BaseAddress"/> is the service's base URL. A call that fails
    /// (non-200, transport error, a body that is not JSON) is that scenario's failure; the others still run.
    /// </summary>
    public static async Task<ReplayResult> RunAsync(IReadOnlyList<ReplayCase> cases, HttpClient service, TimeProvider time, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(cases);
        ArgumentNullException.ThrowIfNull(service);
        ArgumentNullException.ThrowIfNull(time);
        var started = time.GetTimestamp();
        var results = new List<ScenarioResult>(cases.Count);
        foreach (var replayCase in cases)
        {
            results.Add(await RunOneAsync(replayCase, service, time, cancellationToken));
        }

        return new ReplayResult(results, time.GetElapsedTime(started));
    }

    private static async Task<ScenarioResult> RunOneAsync(ReplayCase replayCase, HttpClient service, TimeProvider time, CancellationToken cancellationToken)
    {
        using var content = new StringContent(replayCase.Request.ToJsonString(), Encoding.UTF8);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        var started = time.GetTimestamp();
        string body;
        int status;
        try
        {
            using var response = await service.PostAsync(new Uri(HookPath, UriKind.Relative), content, cancellationToken);
            body = await response.Content.ReadAsStringAsync(cancellationToken);
            status = (int)response.StatusCode;
        }
        catch (HttpRequestException ex)
        {
            return new ScenarioResult(replayCase, [], time.GetElapsedTime(started), $"the service could not be reached: {ex.Message}");
        }
        catch (TaskCanceledException ex) when (!cancellationToken.IsCancellationRequested)
        {
            return new ScenarioResult(replayCase, [], time.GetElapsedTime(started), $"the service did not answer in time: {ex.Message}");
        }

        var elapsed = time.GetElapsedTime(started);
        if (status != 200)
        {
            return new ScenarioResult(replayCase, [], elapsed, $"HTTP {status}: {Shorten(body)}");
        }

        JsonNode? answer;
        try
        {
            answer = JsonNode.Parse(body);
        }
        catch (JsonException ex)
        {
            return new ScenarioResult(replayCase, [], elapsed, $"the answer is not JSON: {ex.Message}");
        }

        var results = ExpectationResult.Check(replayCase.Expected, replayCase.NoEntry, AppropriatenessEntry.FromResponse(answer));
        return new ScenarioResult(replayCase, results, elapsed, null);
    }

    private static string Shorten(string text) => text.Length <= 500 ? text : text[..500] + "…";
}
