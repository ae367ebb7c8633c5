using ImagingCds.Security;

namespace ImagingCds.Tests.Security;

public sealed class TrustedClientTests
{
    private static readonly TrustedClient Client = Build(new TrustedClientOptions
    {
        Issuer = "https://ehr.example.org",
        Jwks = ClientTokens.Jwks(SecuredService.AEc),
        FhirServers = ["https://ehr.example.org/fhir/r4/", "http://127.0.0.1:5055/fhir"],
    });

    [Theory]
    [InlineData("https://ehr.example.org/fhir/r4")]
    [InlineData("https://ehr.example.org/fhir/r4/")]
    [InlineData("https://EHR.example.org/fhir/r4")]
    [InlineData("https://ehr.example.org:443/fhir/r4")]
    [InlineData("https://ehr.example.org/fhir/r4/tenant-7")]
    [InlineData("http://127.0.0.1:5055/fhir")]
    public void AllowsFhirServer_TheBaseOrUnderIt_True(string url) => Assert.True(Client.AllowsFhirServer(new Uri(url)));

    [Theory]
    [InlineData("https://ehr.example.org/fhir")]
    [InlineData("https://ehr.example.org/fhir/r4-other")]
    [InlineData("https://ehr.example.org/FHIR/r4")]
    [InlineData("https://ehr.example.org.evil.com/fhir/r4")]
    [InlineData("https://ehr.example.org@evil.com/fhir/r4")]
    [InlineData("https://user:pass@ehr.example.org/fhir/r4")]
    [InlineData("https://ehr.example.org:8443/fhir/r4")]
    [InlineData("http://ehr.example.org/fhir/r4")]
    [InlineData("https://ehr.example.org/fhir/r4/../../admin")]
    [InlineData("http://127.0.0.1:5056/fhir")]
    public void AllowsFhirServer_AnythingElse_False(string url) => Assert.False(Client.AllowsFhirServer(new Uri(url)));

    [Fact]
    public void From_NoAlgorithmsConfigured_Es384AndRs384Only()
    {
        var client = Build(new TrustedClientOptions { Issuer = "i", Jwks = ClientTokens.Jwks(SecuredService.AEc) });

        Assert.Equal(["ES384", "RS384"], client.Algorithms.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void From_AlgorithmsConfigured_ReplaceTheDefault()
    {
        var client = Build(new TrustedClientOptions { Issuer = "i", Jwks = ClientTokens.Jwks(SecuredService.CEc), AllowedAlgorithms = ["ES256"] });

        Assert.Equal(["ES256"], client.Algorithms);
    }

    [Theory]
    [InlineData("HS256")]
    [InlineData("none")]
    [InlineData("PS384")]
    [InlineData("ES512")]
    [InlineData("es384")]
    public void From_UnsupportedAlgorithm_IsAnError(string alg)
    {
        var options = new SecurityOptions { Clients = [new() { Issuer = "i", Jwks = ClientTokens.Jwks(SecuredService.AEc), AllowedAlgorithms = [alg] }] };

        TrustedClients.From(options, out var errors);

        Assert.Contains(errors, e => e.StartsWith("Security:Clients:0:AllowedAlgorithms", StringComparison.Ordinal) && e.Contains(alg, StringComparison.Ordinal));
    }

    [Fact]
    public void From_JwksKeysWithoutKidOrForEncryption_AreDropped()
    {
        var jwks = """{"keys":[{"kty":"EC","crv":"P-384","x":"AA","y":"AA","use":"enc","kid":"e"},{"kty":"RSA","n":"AQAB","e":"AQAB"}]}""";
        var options = new SecurityOptions { Clients = [new() { Issuer = "i", Jwks = jwks }] };

        TrustedClients.From(options, out var errors);

        Assert.Contains("Security:Clients:0:Jwks: holds no EC or RSA signing key with a kid", errors);
    }

    [Fact]
    public void From_ValidClients_NoErrors()
    {
        var options = new SecurityOptions
        {
            Clients =
            [
                new() { Issuer = "a", Jwks = ClientTokens.Jwks(SecuredService.AEc, SecuredService.ARsa), FhirServers = ["https://ehr/fhir"] },
                new() { Issuer = "b", JkuUrls = ["https://keys.example.org/jwks"], Audience = "https://cds.example.org/x", Tenant = "t" },
            ],
        };

        var clients = TrustedClients.From(options, out var errors);

        Assert.Empty(errors);
        Assert.Equal(["a", "b"], clients.Select(c => c.Issuer));
        Assert.Equal(2, clients[0].InlineKeys.Count);
    }

    private static TrustedClient Build(TrustedClientOptions options)
    {
        var clients = TrustedClients.From(new SecurityOptions { Clients = [options] }, out var errors);
        Assert.Empty(errors);
        return Assert.Single(clients);
    }
}
