using System.Collections.Concurrent;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace ImagingCds.Tests.Support;

/// <summary>One request the fake FHIR server received.</summary>
/// <param name="Path">The full path, e.g. <c>/fhir/Condition</c>.</param>
/// <param name="Query">The query string with its leading <c>?</c>, or empty.</param>
/// <param name="Authorization">The <c>Authorization</c> header as sent, or null.</param>
internal sealed record FakeRequest(string Path, string Query, string? Authorization);

/// <summary>How the fake FHIR server answers one request; see <see cref="Reply"/> for the usual ones.</summary>
/// <param name="cancellationToken">Cancelled when the client goes away or the server stops.</param>
internal delegate Task FakeReply(HttpContext context, CancellationToken cancellationToken);

/// <summary>
/// A real Kestrel server on a free loopback port that plays an EHR's FHIR server at <see cref="BaseUrl"/>
/// (<c>http://127.0.0.1:{port}/fhir/</c>). What it answers is scripted per path; every request is recorded.
/// </summary>
/// <remarks>
/// An unscripted <c>/fhir/{Type}</c> answers an empty searchset Bundle and <c>/fhir/Patient/{id}</c> that
/// Patient: a healthy server with no data. Any other unscripted path answers 404, so a request that should
/// never have been sent is still recorded. Thread safe: parts are read in parallel.
/// </remarks>
internal sealed class FakeFhirServer : IAsyncDisposable
{
    public const string BasePath = "/fhir";

    private readonly WebApplication _app;
    private readonly ConcurrentDictionary<string, Script> _scripts = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<FakeRequest> _requests = new();
    private FakeReply? _otherwise;
    private int _inFlight;
    private int _maxInFlight;

    private FakeFhirServer(WebApplication app) => _app = app;

    /// <summary>The server's origin, e.g. <c>http://127.0.0.1:45123</c> (no trailing slash).</summary>
    public string Origin { get; private set; } = string.Empty;

    /// <summary>The FHIR base URL the service is given as <c>fhirServer</c>, with a trailing slash.</summary>
    public Uri BaseUrl => new($"{Origin}{BasePath}/");

    /// <summary>Added before every reply, scripted or not (for example to make parallelism measurable).</summary>
    public TimeSpan Latency { get; set; }

    /// <summary>Every request received so far, in arrival order.</summary>
    public IReadOnlyList<FakeRequest> Requests => [.. _requests];

    /// <summary>The most requests that were being answered at the same moment.</summary>
    public int MaxConcurrentRequests => Volatile.Read(ref _maxInFlight);

    /// <summary>Starts a server on <c>127.0.0.1</c> with a port the OS picks.</summary>
    public static async Task<FakeFhirServer> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(5));
        var app = builder.Build();
        var server = new FakeFhirServer(app);
        app.Run(server.HandleAsync);
        await app.StartAsync();

        var addresses = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>();
        server.Origin = addresses.Addresses.Single().TrimEnd('/');
        return server;
    }

    /// <summary>
    /// Scripts the answers for a path relative to the FHIR base (<c>Condition</c>, <c>Patient/p1</c>, or
    /// <c>../other/Condition</c> for a path off the base): the n-th request gets the n-th reply, and the last reply repeats.
    /// </summary>
    public FakeFhirServer On(string relativePath, params FakeReply[] replies)
    {
        ArgumentOutOfRangeException.ThrowIfZero(replies.Length);
        _scripts[PathOf(relativePath)] = new Script(replies);
        return this;
    }

    /// <summary>Answers every path that <see cref="On"/> has not scripted with <paramref name="reply"/>.</summary>
    public FakeFhirServer OnEveryOtherPath(FakeReply reply)
    {
        _otherwise = reply;
        return this;
    }

    /// <summary>The requests received for a path relative to the FHIR base.</summary>
    public IReadOnlyList<FakeRequest> RequestsTo(string relativePath)
    {
        var path = PathOf(relativePath);
        return [.. _requests.Where(r => r.Path == path)];
    }

    public async ValueTask DisposeAsync()
    {
        // Stopping fires ApplicationStopping, which ends hanging and dripping replies.
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private static string PathOf(string relativePath) =>
        new Uri(new Uri($"http://fake{BasePath}/"), relativePath).AbsolutePath;

    private async Task HandleAsync(HttpContext context)
    {
        _requests.Enqueue(new FakeRequest(
            context.Request.Path.Value ?? string.Empty,
            context.Request.QueryString.Value ?? string.Empty,
            context.Request.Headers.Authorization.Count == 0 ? null : context.Request.Headers.Authorization.ToString()));

        var now = Interlocked.Increment(ref _inFlight);
        for (var max = Volatile.Read(ref _maxInFlight); now > max; max = Volatile.Read(ref _maxInFlight))
        {
            Interlocked.CompareExchange(ref _maxInFlight, now, max);
        }

        var stopping = context.RequestServices.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping;
        using var ends = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, stopping);
        try
        {
            if (Latency > TimeSpan.Zero)
            {
                await Task.Delay(Latency, ends.Token);
            }

            var path = context.Request.Path.Value ?? string.Empty;
            var reply = _scripts.TryGetValue(path, out var script) ? script.Next() : _otherwise ?? DefaultReply(path);
            await reply(context, ends.Token);
        }
        catch (OperationCanceledException) when (ends.IsCancellationRequested)
        {
            // The client gave up (or the test ended): nothing left to answer.
        }
        finally
        {
            Interlocked.Decrement(ref _inFlight);
        }
    }

    private static FakeReply DefaultReply(string path)
    {
        var segments = path.Split('/', StringSplitOptions.RemoveEmptyEntries);
        return segments switch
        {
            ["fhir", _] => Reply.Json(SomeJson.SearchSet([])),
            ["fhir", "Patient", var id] => Reply.Json(SomeJson.Patient(id)),
            _ => Reply.Status(404),
        };
    }

    private sealed class Script(FakeReply[] replies)
    {
        private int _count = -1;

        public FakeReply Next() => replies[Math.Min(Interlocked.Increment(ref _count), replies.Length - 1)];
    }
}

/// <summary>The replies the fake FHIR server can be scripted with.</summary>
internal static class Reply
{
    public const string FhirJson = "application/fhir+json";

    /// <summary>A JSON body (need not be valid JSON) with its <c>Content-Length</c>.</summary>
    public static FakeReply Json(string body, int status = 200) => async (context, cancellationToken) =>
    {
        var bytes = Encoding.UTF8.GetBytes(body);
        context.Response.StatusCode = status;
        context.Response.ContentType = FhirJson;
        context.Response.ContentLength = bytes.Length;
        await context.Response.Body.WriteAsync(bytes, cancellationToken);
    };

    /// <summary>A JSON body sent in chunks with no <c>Content-Length</c>, so its size shows only while reading.</summary>
    public static FakeReply Chunked(string body) => async (context, cancellationToken) =>
    {
        var bytes = Encoding.UTF8.GetBytes(body);
        context.Response.ContentType = FhirJson;
        for (var offset = 0; offset < bytes.Length; offset += 8192)
        {
            await context.Response.Body.WriteAsync(bytes.AsMemory(offset, Math.Min(8192, bytes.Length - offset)), cancellationToken);
            await context.Response.Body.FlushAsync(cancellationToken);
        }
    };

    /// <summary>A status with no body, and optionally a <c>Retry-After</c> header (seconds or an HTTP-date).</summary>
    public static FakeReply Status(int status, string? retryAfter = null) => (context, _) =>
    {
        context.Response.StatusCode = status;
        if (retryAfter is not null)
        {
            context.Response.Headers.RetryAfter = retryAfter;
        }

        context.Response.ContentLength = 0;
        return Task.CompletedTask;
    };

    /// <summary>A 302 to <paramref name="location"/>.</summary>
    public static FakeReply Redirect(string location) => (context, _) =>
    {
        context.Response.Redirect(location);
        return Task.CompletedTask;
    };

    /// <summary>Never answers: not even the status line is sent until the client gives up.</summary>
    public static FakeReply Hang() => (_, cancellationToken) => Task.Delay(Timeout.Infinite, cancellationToken);

    /// <summary>Sends the headers at once, then the body one byte every <paramref name="interval"/>.</summary>
    public static FakeReply Drip(string body, TimeSpan interval) => async (context, cancellationToken) =>
    {
        var bytes = Encoding.UTF8.GetBytes(body);
        context.Response.ContentType = FhirJson;
        context.Response.ContentLength = bytes.Length;
        await context.Response.StartAsync(cancellationToken);
        for (var i = 0; i < bytes.Length; i++)
        {
            await context.Response.Body.WriteAsync(bytes.AsMemory(i, 1), cancellationToken);
            await context.Response.Body.FlushAsync(cancellationToken);
            await Task.Delay(interval, cancellationToken);
        }
    };

    /// <summary>Promises the whole body, sends the first part of it, then drops the connection.</summary>
    public static FakeReply DropAfter(string body, int bytesSent) => async (context, cancellationToken) =>
    {
        var bytes = Encoding.UTF8.GetBytes(body);
        context.Response.ContentType = FhirJson;
        context.Response.ContentLength = bytes.Length;
        await context.Response.Body.WriteAsync(bytes.AsMemory(0, bytesSent), cancellationToken);
        await context.Response.Body.FlushAsync(cancellationToken);
        context.Abort();
    };

    /// <summary>A reply worked out from the request, e.g. a page chosen by its query.</summary>
    public static FakeReply From(Func<HttpRequest, FakeReply> choose) =>
        (context, cancellationToken) => choose(context.Request)(context, cancellationToken);
}
