using System.Collections.Concurrent;
using System.Net;
using System.Text;
using ImagingCds.Security;
using ImagingCds.Tests.Support;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace ImagingCds.Tests.Security;

/// <summary>
/// The service in memory as run outside Development ("Production"), with three trusted clients, a fake clock, an
/// in-process JWK Set server for <c>jku</c> URLs and a capturing log. Each test makes its own (clock, key cache and
/// replay cache are per instance).
/// </summary>
/// <remarks>
/// Client A: inline JWKS (ES384 and RS384 keys), default algorithms and audience, one FHIR server.
/// Client B: keys at an allow-listed <c>jku</c> URL, a configured audience and tenant.
/// Client C: ES256 configured (and only it).
/// The guideline library is an empty one of the test's own, so these tests hold whatever the guideline data's state:
/// every order is out of scope and an authenticated hook is answered <c>{"cards":[]}</c>.
/// </remarks>
internal sealed class SecuredService : WebApplicationFactory<Program>
{
    public const string IssuerA = "https://ehr-a.example.org/oauth2";
    public const string IssuerB = "https://ehr-b.example.org";
    public const string IssuerC = "https://ehr-c.example.org";
    public const string JkuB = "https://keys.ehr-b.example.org/cds/jwks.json";
    public const string AudienceB = "https://cds.example.org/epic/site-7";
    public const string TenantB = "site-7";
    public const string FhirA = "https://ehr-a.example.org/fhir/r4";
    public const string FhirB = "https://fhir.ehr-b.example.org/api/FHIR/R4";
    public const string ServicePath = "/cds-services/spine-mri-appropriateness";
    public const string ServiceUrl = "http://localhost" + ServicePath;
    public const string DiscoveryUrl = "http://localhost/cds-services";

    public static readonly DateTimeOffset Start = new(2025, 3, 3, 12, 0, 0, TimeSpan.Zero);

    public static readonly ClientKey AEc = ClientKey.Ec384("a-ec-2025");
    public static readonly ClientKey ARsa = ClientKey.Rsa2048("a-rsa-2025");
    public static readonly ClientKey BEc = ClientKey.Ec384("b-1");
    public static readonly ClientKey CEc = ClientKey.Ec256("c-1");

    private static readonly Lazy<string> EmptyGuidelines = new(() =>
    {
        var folder = Path.Combine(Path.GetTempPath(), $"imagingcds-security-guidelines-{Environment.ProcessId}");
        foreach (var part in new[] { "terminology", "facts", "policies" })
        {
            Directory.CreateDirectory(Path.Combine(folder, part));
        }

        return folder;
    });

    private readonly Dictionary<string, string?> _settings;
    private readonly string _environment;

    /// <param name="settings">Configuration added to (or replacing) the default one.</param>
    /// <param name="trustClients">False: no <c>Security</c> configuration at all, as a fresh deployment starts.</param>
    public SecuredService(Dictionary<string, string?>? settings = null, string environment = "Production", bool trustClients = true)
    {
        _environment = environment;
        _settings = new(StringComparer.Ordinal)
        {
            ["Guidelines:Folder"] = EmptyGuidelines.Value,
            ["Guidelines:RequireAllPolicies"] = "false",
        };
        var clients = new Dictionary<string, string?>(StringComparer.Ordinal)
        {
            ["Security:Clients:0:Issuer"] = IssuerA,
            ["Security:Clients:0:Jwks"] = ClientTokens.Jwks(AEc, ARsa),
            ["Security:Clients:0:FhirServers:0"] = FhirA,
            ["Security:Clients:1:Issuer"] = IssuerB,
            ["Security:Clients:1:JkuUrls:0"] = JkuB,
            ["Security:Clients:1:Audience"] = AudienceB,
            ["Security:Clients:1:Tenant"] = TenantB,
            ["Security:Clients:1:FhirServers:0"] = FhirB,
            ["Security:Clients:2:Issuer"] = IssuerC,
            ["Security:Clients:2:Jwks"] = ClientTokens.Jwks(CEc),
            ["Security:Clients:2:AllowedAlgorithms:0"] = "ES256",
        };
        foreach (var (key, value) in trustClients ? clients : [])
        {
            _settings[key] = value;
        }

        foreach (var (key, value) in settings ?? [])
        {
            _settings[key] = value;
        }

        KeyServer.Serve(JkuB, ClientTokens.Jwks(BEc));
    }

    public FakeClock Clock { get; } = new(Start);

    public JwksServer KeyServer { get; } = new();

    public CapturingLoggerProvider Logs { get; } = new();

    /// <summary>The claims client A sends to the hook (audience: the called URL).</summary>
    public Dictionary<string, object> ClaimsA(string audience = ServiceUrl) => ClientTokens.Claims(IssuerA, audience, Clock.Now);

    /// <summary>The claims client B sends: its configured audience and tenant.</summary>
    public Dictionary<string, object> ClaimsB()
    {
        var claims = ClientTokens.Claims(IssuerB, AudienceB, Clock.Now);
        claims["tenant"] = TenantB;
        return claims;
    }

    /// <summary>The reason codes of every refusal logged so far.</summary>
    public IReadOnlyList<string> RefusalReasons() =>
        [.. Logs.Entries.Where(e => e.EventId == 1103).Select(e => e.Values.First(v => v.Key == "Reason").Value?.ToString() ?? string.Empty)];

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment(_environment);
        foreach (var (key, value) in _settings)
        {
            builder.UseSetting(key, value);
        }

        builder.ConfigureTestServices(services =>
        {
            services.AddSingleton<TimeProvider>(Clock);
            services.AddSingleton<ILoggerProvider>(Logs);
            services.AddHttpClient(JwksCache.HttpClientName).ConfigurePrimaryHttpMessageHandler(() => new JwksServer.Handler(KeyServer));
        });
    }
}

/// <summary>An in-process JWK Set server: serves documents by exact URL, counts fetches, can be told to fail.</summary>
internal sealed class JwksServer
{
    private readonly ConcurrentDictionary<string, string> _documents = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, int> _fetches = new(StringComparer.Ordinal);

    /// <summary>The status to answer with instead of the document, when set.</summary>
    public HttpStatusCode? Failure { get; set; }

    public void Serve(string url, string jwks) => _documents[url] = jwks;

    /// <summary>How many times <paramref name="url"/> was requested.</summary>
    public int Fetches(string url) => _fetches.GetValueOrDefault(url);

    /// <summary>Every URL requested, each once.</summary>
    public IReadOnlyCollection<string> Requested => [.. _fetches.Keys];

    public sealed class Handler(JwksServer server) : HttpMessageHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var url = request.RequestUri!.AbsoluteUri;
            server._fetches.AddOrUpdate(url, 1, (_, n) => n + 1);
            if (server.Failure is { } failure)
            {
                return Task.FromResult(new HttpResponseMessage(failure));
            }

            return Task.FromResult(server._documents.TryGetValue(url, out var jwks)
                ? new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent(jwks, Encoding.UTF8, "application/json") }
                : new HttpResponseMessage(HttpStatusCode.NotFound));
        }
    }
}
