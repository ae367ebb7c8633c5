using System.Diagnostics;
using System.Net.Http.Headers;

namespace ImagingCds.LoadTest;

/// <summary>One POST's outcome: the status (null when no answer came), the time until the whole body was read, and the body.</summary>
public readonly record struct Answer(int? Status, double LatencyMs, byte[] Body)
{
    public bool IsOk => Status == 200;
}

/// <summary>POSTs a JSON body and reads the whole answer: latency is measured to the last byte, as a client sees it.</summary>
public static class JsonPost
{
    public static async Task<Answer> SendAsync(HttpClient client, Uri endpoint, byte[] body, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(client);
        var started = Stopwatch.GetTimestamp();
        try
        {
            using var content = new ByteArrayContent(body);
            content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
            using var response = await client.PostAsync(endpoint, content, cancellationToken);
            var answer = await response.Content.ReadAsByteArrayAsync(cancellationToken);
            return new Answer((int)response.StatusCode, Stopwatch.GetElapsedTime(started).TotalMilliseconds, answer);
        }
        catch (HttpRequestException)
        {
            return new Answer(null, Stopwatch.GetElapsedTime(started).TotalMilliseconds, []);
        }
        catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return new Answer(null, Stopwatch.GetElapsedTime(started).TotalMilliseconds, []); // the client's timeout
        }
    }
}
