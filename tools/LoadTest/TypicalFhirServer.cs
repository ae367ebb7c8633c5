using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace ImagingCds.LoadTest;

/// <summary>
/// A FHIR server on 127.0.0.1 (a port the OS picks) holding one patient's record, slow on purpose:
/// <c>GET {base}{Type}?patient=ID</c> answers a searchset Bundle of that type, <see cref="PageSize"/> resources a page
/// whatever <c>_count</c> asks, with an absolute <c>next</c> link (<c>&amp;_page=N</c>) while more remain, and an empty
/// searchset for a type it has none of; <c>GET {base}Patient/ID</c> answers the patient. Every request waits
/// <see cref="Delay"/> before it is answered, as a remote EHR's network and database would.
/// </summary>
public sealed class TypicalFhirServer : IAsyncDisposable
{
    public const string BasePath = "/fhir/";
    private const string FhirJson = "application/fhir+json";

    private readonly WebApplication _app;
    private readonly string _patientId;
    private readonly IReadOnlyDictionary<string, IReadOnlyList<JsonObject>> _resources;
    private readonly ConcurrentDictionary<(string Type, int Page), int> _served = new();
    private Dictionary<(string Type, int Page), byte[]> _pages = [];
    private byte[] _patient = [];
    private int _requests;

    private TypicalFhirServer(WebApplication app, string patientId, IReadOnlyDictionary<string, IReadOnlyList<JsonObject>> resources, int pageSize, TimeSpan delay)
    {
        _app = app;
        _patientId = patientId;
        _resources = resources;
        PageSize = pageSize;
        Delay = delay;
    }

    public int PageSize { get; }

    public TimeSpan Delay { get; }

    /// <summary>The FHIR base URL, with a trailing slash (what the hook request names as <c>fhirServer</c>).</summary>
    public Uri BaseUrl { get; private set; } = new("http://127.0.0.1/");

    /// <summary>Every request received so far, answered or not.</summary>
    public int Requests => Volatile.Read(ref _requests);

    /// <summary>The resource type with the most pages, and how many: the longest chain of sequential GETs a reader must make.</summary>
    public (string Type, int Pages) SlowestChain =>
        _resources.Keys.Where(t => t != "Patient").Select(t => (Type: t, Pages: PagesOf(t))).OrderByDescending(c => c.Pages).ThenBy(c => c.Type, StringComparer.Ordinal).First();

    /// <summary>The patient's resources of <paramref name="type"/>.</summary>
    public int CountOf(string type) => _resources.TryGetValue(type, out var list) ? list.Count : 0;

    /// <summary>Pages a search of <paramref name="type"/> takes (an empty searchset is one page).</summary>
    public int PagesOf(string type) => Math.Max(1, (CountOf(type) + PageSize - 1) / PageSize);

    /// <summary>How many times page <paramref name="page"/> of <paramref name="type"/> has been served.</summary>
    public int Served(string type, int page) => _served.TryGetValue((type, page), out var count) ? count : 0;

    /// <summary>The first page of the patient's <paramref name="type"/> search.</summary>
    public Uri SearchUrl(string type) => new(BaseUrl, $"{type}?patient={Uri.EscapeDataString(_patientId)}");

    public Uri PatientUrl => new(BaseUrl, $"Patient/{Uri.EscapeDataString(_patientId)}");

    public static async Task<TypicalFhirServer> StartAsync(
        string patientId, IReadOnlyDictionary<string, IReadOnlyList<JsonObject>> resources, int pageSize, TimeSpan delay, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(resources);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(pageSize);
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));
        builder.Logging.ClearProviders();
        builder.Services.Configure<HostOptions>(host => host.ShutdownTimeout = TimeSpan.FromSeconds(2));
        var app = builder.Build();
        var server = new TypicalFhirServer(app, patientId, resources, pageSize, delay);
        app.Run(server.HandleAsync);
        await app.StartAsync(cancellationToken);

        var address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.Single();
        server.BaseUrl = new Uri(address.TrimEnd('/') + BasePath);
        // Rendered once, now that the port (part of every next link) is known: answering costs only the delay and the write.
        server._pages = server.RenderPages();
        server._patient = resources.TryGetValue("Patient", out var patients) ? JsonBytes(patients[0]) : [];
        return server;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private async Task HandleAsync(HttpContext context)
    {
        Interlocked.Increment(ref _requests);
        var cancellationToken = context.RequestAborted;
        try
        {
            await WaitAtLeastAsync(Delay, cancellationToken);

            var (status, body) = Answer(context.Request);
            context.Response.StatusCode = status;
            context.Response.ContentType = FhirJson;
            context.Response.ContentLength = body.Length;
            await context.Response.Body.WriteAsync(body, cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The reader gave up (its record budget ran out): nothing left to answer.
        }
    }

    /// <summary>
    /// Waits no less than <paramref name="delay"/> by the high-resolution clock. Timers run on a coarse tick (4 ms on
    /// many Linux kernels), so a plain <c>Task.Delay</c> may end a few milliseconds early; the remainder is waited again.
    /// </summary>
    private static async Task WaitAtLeastAsync(TimeSpan delay, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        for (var left = delay; left > TimeSpan.Zero; left = delay - Stopwatch.GetElapsedTime(started))
        {
            await Task.Delay(left < TimeSpan.FromMilliseconds(1) ? TimeSpan.FromMilliseconds(1) : left, cancellationToken);
        }
    }

    private (int Status, byte[] Body) Answer(HttpRequest request)
    {
        var path = request.Path.Value ?? string.Empty;
        if (!HttpMethods.IsGet(request.Method) || !path.StartsWith(BasePath, StringComparison.Ordinal))
        {
            return (404, []);
        }

        var segments = path[BasePath.Length..].Split('/', StringSplitOptions.RemoveEmptyEntries);
        return segments switch
        {
            ["Patient", var id] => id == _patientId && _patient.Length > 0 ? (200, _patient) : (404, []),
            [var type] => (200, Search(type, request.Query)),
            _ => (404, []),
        };
    }

    private byte[] Search(string type, IQueryCollection query)
    {
        var patient = query["patient"].ToString();
        var page = int.TryParse(query["_page"], NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : 1;
        var mine = patient == _patientId || patient == $"Patient/{_patientId}";
        if (mine && _pages.TryGetValue((type, page), out var body))
        {
            _served.AddOrUpdate((type, page), 1, (_, count) => count + 1);
            return body;
        }

        // Another patient, a page past the end, or a type this record has none of: an empty searchset.
        _served.AddOrUpdate((type, page), 1, (_, count) => count + 1);
        return JsonBytes(SearchSet(type, [], total: 0, next: null));
    }

    private Dictionary<(string Type, int Page), byte[]> RenderPages()
    {
        var pages = new Dictionary<(string Type, int Page), byte[]>();
        foreach (var (type, list) in _resources)
        {
            for (var page = 1; page <= PagesOf(type); page++)
            {
                var slice = list.Skip((page - 1) * PageSize).Take(PageSize);
                var next = page < PagesOf(type) ? new Uri(SearchUrl(type) + $"&_page={page + 1}") : null;
                pages[(type, page)] = JsonBytes(SearchSet(type, slice, list.Count, next));
            }
        }

        return pages;
    }

    private JsonObject SearchSet(string type, IEnumerable<JsonObject> resources, int total, Uri? next)
    {
        var links = new JsonArray(new JsonObject { ["relation"] = "self", ["url"] = SearchUrl(type).AbsoluteUri });
        if (next is not null)
        {
            links.Add(new JsonObject { ["relation"] = "next", ["url"] = next.AbsoluteUri });
        }

        var bundle = new JsonObject { ["resourceType"] = "Bundle", ["type"] = "searchset", ["total"] = total, ["link"] = links };
        var entries = resources.Select(r => (JsonNode)new JsonObject
        {
            ["fullUrl"] = new Uri(BaseUrl, $"{type}/{r["id"]}").AbsoluteUri,
            ["resource"] = r.DeepClone(),
            ["search"] = new JsonObject { ["mode"] = "match" },
        }).ToArray();
        if (entries.Length > 0)
        {
            bundle["entry"] = new JsonArray(entries); // FHIR JSON has no empty arrays: an empty searchset has no entry at all
        }

        return bundle;
    }

    private static byte[] JsonBytes(JsonNode node) => System.Text.Encoding.UTF8.GetBytes(node.ToJsonString());
}
