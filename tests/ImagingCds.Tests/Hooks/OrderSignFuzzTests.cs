using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using ImagingCds.Record;
using ImagingCds.Scenarios;
using ImagingCds.Tests.Fixtures;
using ImagingCds.Tests.Support;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Xunit.Abstractions;
using Xunit.Sdk;

namespace ImagingCds.Tests.Hooks;

/// <summary>
/// Mutational fuzzing of the order-sign endpoint: every fixture request (the expanded scenarios of
/// <c>fhir-fixtures/scenarios</c> and <c>fhir-fixtures/examples/*/request.json</c>) is bent by <see cref="JsonMutator"/>
/// and posted through the whole HTTP pipeline, some with a loopback FHIR server to read from.
/// </summary>
/// <remarks>
/// Deterministic: case <c>n</c> of seed <c>s</c> is always the same body. <c>IMAGINGCDS_FUZZ_CASES</c> and
/// <c>IMAGINGCDS_FUZZ_SEED</c> run more cases or other seeds locally; a failure names the seed, the case, the
/// fixture and the mutations, which is all it takes to replay it.
/// </remarks>
[SuppressMessage("Reliability", "CA1001", Justification = "xunit disposes the test class through IAsyncLifetime.DisposeAsync")]
public sealed class OrderSignFuzzTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const string ServiceUrl = "/cds-services/spine-mri-appropriateness";
    private const int DefaultCases = 5000;
    private const int DefaultSeed = 20261120;

    private readonly SuspiciousLogs _logs = new();
    private CdsServiceFactory _service = null!;
    private WebApplicationFactory<Program> _fuzzed = null!;
    private FakeFhirServer _fhir = null!;

    public async Task InitializeAsync()
    {
        _fhir = await FakeFhirServer.StartAsync();
        _service = new CdsServiceFactory();
        _fuzzed = _service.WithWebHostBuilder(b => b
            .ConfigureLogging(logging => logging.ClearProviders().AddProvider(_logs).AddFilter<SuspiciousLogs>(null, LogLevel.Debug))
            .ConfigureTestServices(services => services.AddHttpClient(FhirServerSource.HttpClientName)
                .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler
                {
                    AllowAutoRedirect = false,
                    UseCookies = false,
                    ConnectCallback = LoopbackOnlyAsync,
                })));
    }

    public async Task DisposeAsync()
    {
        await _fuzzed.DisposeAsync();
        await _service.DisposeAsync();
        await _fhir.DisposeAsync();
    }

    [Fact]
    public async Task PostService_MutatedFixtureRequests_AnswerCleanlyOrRefuseWithProblem()
    {
        var cases = Setting("IMAGINGCDS_FUZZ_CASES", DefaultCases);
        var seed = Setting("IMAGINGCDS_FUZZ_SEED", DefaultSeed);
        var seeds = Seeds();
        using var client = _fuzzed.CreateClient();
        var statuses = new SortedDictionary<int, int>();
        var failures = new Dictionary<string, string>(StringComparer.Ordinal);
        var clock = Stopwatch.StartNew();

        for (var n = 0; n < cases; n++)
        {
            var random = new Random(unchecked((seed * 1_000_003) + n));
            var (name, request) = seeds[random.Next(seeds.Count)];
            var body = request;
            if (random.Next(4) == 0)
            {
                // A quarter read (part of) the record from the loopback FHIR server instead of prefetch only.
                body = WithFhirServer(request, random);
                name += " +fhirServer";
            }

            var mutated = new JsonMutator(random).Mutate(body, random.Next(10) switch { < 5 => 1, < 8 => 2, _ => 3 + random.Next(3) });
            var (status, problem) = await PostAsync(client, mutated.Bytes);
            statuses[status] = statuses.GetValueOrDefault(status) + 1;
            var logged = _logs.Drain().ToArray();
            if ((problem is not null || logged.Length > 0) && failures.Count < 20)
            {
                var details = string.Join("\n  ", new[] { problem }.Concat(logged.Select(l => $"log: {l}")).OfType<string>());
                failures.TryAdd(Signature(status, problem, logged), $"""
                    seed {seed}, case {n}: {name}
                      mutations: {string.Join("; ", mutated.Mutations)}
                      {details}
                      body starts: {Preview(mutated.Bytes)}
                    """);
            }
        }

        output.WriteLine($"{cases} mutated requests (seed {seed}) in {clock.Elapsed.TotalSeconds:F1} s; " +
                         $"statuses: {string.Join(", ", statuses.Select(s => $"{s.Key}×{s.Value}"))}");
        Assert.True(failures.Count == 0, $"{failures.Count} kinds of failure:\n\n{string.Join("\n\n", failures.Values)}");

        // The mutations must reach past the parser: a fuzzer that only ever gets 400 tests nothing downstream.
        Assert.True(statuses.GetValueOrDefault(200) > cases / 5, $"only {statuses.GetValueOrDefault(200)} of {cases} answered 200");
        Assert.True(statuses.GetValueOrDefault(400) > cases / 20, $"only {statuses.GetValueOrDefault(400)} of {cases} refused with 400");
    }

    /// <summary>Posts one body; returns the status and what is wrong with the answer (null when nothing is).</summary>
    private static async Task<(int Status, string? Problem)> PostAsync(HttpClient client, byte[] body)
    {
        using var content = new ByteArrayContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        HttpResponseMessage response;
        try
        {
            response = await client.PostAsync(ServiceUrl, content);
        }
#pragma warning disable CA1031 // Whatever escapes the server is the finding.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            return (0, $"the request threw {ex}");
        }

        using (response)
        {
            var status = (int)response.StatusCode;
            var text = await response.Content.ReadAsStringAsync();
            try
            {
                switch (status)
                {
                    case 200:
                        CdsHygiene.AssertCards(CdsHygiene.AssertCdsResponse(text));
                        break;
                    case 400 or 412 or 413:
                        AssertProblem(response, status, text);
                        break;
                    default:
                        return (status, $"unexpected status; body: {text[..Math.Min(600, text.Length)]}");
                }
            }
            catch (XunitException ex)
            {
                return (status, ex.Message[..Math.Min(1200, ex.Message.Length)]);
            }

            return (status, null);
        }
    }

    private static void AssertProblem(HttpResponseMessage response, int status, string body)
    {
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = Assert.IsType<JsonObject>(JsonNode.Parse(body));
        Assert.Equal(status, problem["status"]?.GetValue<int>());
        var code = problem["code"] is JsonValue value && value.GetValueKind() == JsonValueKind.String ? value.GetValue<string>() : null;
        Assert.False(string.IsNullOrWhiteSpace(code), $"problem without a code: {body}");
        CdsHygiene.AssertClean(problem);
    }

    /// <summary>Every scenario's request with its record in prefetch, and every example request.</summary>
    private static List<(string Name, JsonNode Request)> Seeds()
    {
        var seeds = new List<(string, JsonNode)>();
        var scenarios = Repo.File("fhir-fixtures/scenarios");
        foreach (var file in Directory.EnumerateFiles(scenarios, "*.yaml", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            seeds.Add((Path.GetRelativePath(scenarios, file), ScenarioFhir.Request(Scenario.Load(file))));
        }

        var examples = Repo.File("fhir-fixtures/examples");
        foreach (var file in Directory.EnumerateFiles(examples, "request.json", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            seeds.Add((Path.GetRelativePath(examples, file), JsonNode.Parse(File.ReadAllText(file))!));
        }

        Assert.True(seeds.Count > 100, $"only {seeds.Count} fixture requests found");
        return seeds;
    }

    /// <summary>The request with <c>fhirServer</c> and a token, and about half of its prefetch left out (to be read from there).</summary>
    private JsonNode WithFhirServer(JsonNode request, Random random)
    {
        var copy = request.DeepClone().AsObject();
        copy["fhirServer"] = _fhir.BaseUrl.AbsoluteUri;
        copy["fhirAuthorization"] = new JsonObject
        {
            ["access_token"] = "fuzz-token",
            ["token_type"] = "Bearer",
            ["expires_in"] = 300,
            ["scope"] = "patient/*.read",
            ["subject"] = "imaging-cds",
        };
        if (copy["prefetch"] is JsonObject prefetch)
        {
            foreach (var key in prefetch.Select(p => p.Key).Where(_ => random.Next(2) == 0).ToArray())
            {
                prefetch.Remove(key);
            }
        }

        return copy;
    }

    /// <summary>The service may call loopback FHIR servers only: a mutated <c>fhirServer</c> must not reach the network.</summary>
    private static async ValueTask<Stream> LoopbackOnlyAsync(SocketsHttpConnectionContext context, CancellationToken cancellationToken)
    {
        var host = context.DnsEndPoint.Host;
        if (!(host == "localhost" || (IPAddress.TryParse(host.Trim('[', ']'), out var address) && IPAddress.IsLoopback(address))))
        {
            throw new HttpRequestException($"the fuzz test allows loopback hosts only, not '{host}'");
        }

        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(context.DnsEndPoint, cancellationToken);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>What tells one bug from another: the status and the first exception's type and frame in our code.</summary>
    private static string Signature(int status, string? problem, string[] logged)
    {
        var frame = logged.SelectMany(l => l.Split('\n')).FirstOrDefault(line => line.TrimStart().StartsWith("at ImagingCds.", StringComparison.Ordinal));
        var exception = logged.Select(l => System.Text.RegularExpressions.Regex.Match(l, @"\b[\w.]+Exception\b")).FirstOrDefault(m => m.Success)?.Value;
        var first = (problem ?? logged.FirstOrDefault() ?? string.Empty).Split('\n')[0];
        return exception is null ? $"{status} {first[..Math.Min(120, first.Length)]}" : $"{status} {exception} {frame?.Trim()}";
    }

    private static int Setting(string variable, int fallback) =>
        int.TryParse(Environment.GetEnvironmentVariable(variable), NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) ? value : fallback;

    private static string Preview(byte[] body)
    {
        var text = Encoding.UTF8.GetString(body, 0, Math.Min(body.Length, 300));
        return $"{text}{(body.Length > 300 ? $"… ({body.Length} bytes)" : string.Empty)}";
    }

    /// <summary>
    /// Keeps only what must never happen: an entry at Error or above, one carrying an exception, or one saying
    /// "unhandled". The hook's own contained-failure event (1004, Error) counts too: it means the core threw.
    /// </summary>
    private sealed class SuspiciousLogs : ILoggerProvider
    {
        private readonly ConcurrentQueue<string> _entries = new();

        public ILogger CreateLogger(string categoryName) => new Logger(categoryName, _entries);

        public IEnumerable<string> Drain()
        {
            while (_entries.TryDequeue(out var entry))
            {
                yield return entry;
            }
        }

        public void Dispose()
        {
        }

        private sealed class Logger(string category, ConcurrentQueue<string> entries) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state)
                where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            {
                var message = formatter(state, exception);
                if (logLevel >= LogLevel.Error || exception is not null || message.Contains("unhandled", StringComparison.OrdinalIgnoreCase))
                {
                    entries.Enqueue($"{logLevel} {category} [{eventId.Id}] {message} {exception}");
                }
            }
        }
    }
}
