using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using ImagingCds.Tests.Support;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;

namespace ImagingCds.Tests.Security;

/// <summary>
/// CDS client JWTs outside Development, end to end (CDS Hooks 2.0 "Trusting CDS Clients"; DESIGN.md "HTTP surface"):
/// one test per rule a token can break, each a bare 401 whose log names the reason.
/// </summary>
public sealed class CdsClientAuthenticationTests
{
    private const string Path = SecuredService.ServicePath;

    // ---- acceptances ----

    [Fact]
    public async Task GetDiscovery_Es384TokenWithDiscoveryUrlAsAudience_Is200Catalog()
    {
        using var service = new SecuredService();
        using var client = service.CreateClient();

        using var response = await client.SendAsync(Get("/cds-services", ClientTokens.Sign(service.ClaimsA(SecuredService.DiscoveryUrl), SecuredService.AEc)));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(await File.ReadAllBytesAsync(Repo.File("cds-services.json")), await response.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task GetDiscovery_Rs384Token_Is200()
    {
        using var service = new SecuredService();
        using var client = service.CreateClient();

        using var response = await client.SendAsync(Get("/cds-services", ClientTokens.Sign(service.ClaimsA(SecuredService.DiscoveryUrl), SecuredService.ARsa)));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Theory]
    [InlineData("ec")]
    [InlineData("rsa")]
    public async Task PostHook_ValidTokenOnlyNonSpineOrders_Is200EmptyCards(string keyKind)
    {
        using var service = new SecuredService();
        using var client = service.CreateClient();
        var key = keyKind == "ec" ? SecuredService.AEc : SecuredService.ARsa;

        using var response = await client.SendAsync(Post(NonSpineHook(), ClientTokens.Sign(service.ClaimsA(), key)));

        await AssertEmptyCards(response);
    }

    [Fact]
    public async Task PostHook_FhirServerOfTheClient_Is200()
    {
        using var service = new SecuredService();
        using var client = service.CreateClient();

        using var response = await client.SendAsync(Post(NonSpineHook(SecuredService.FhirA + "/"), ClientTokens.Sign(service.ClaimsA(), SecuredService.AEc)));

        await AssertEmptyCards(response);
    }

    [Fact]
    public async Task PostHook_AudienceAsArrayHoldingTheCalledUrl_Is200()
    {
        using var service = new SecuredService();
        using var client = service.CreateClient();
        var claims = service.ClaimsA();
        claims["aud"] = new[] { "https://other.example.org", SecuredService.ServiceUrl };

        using var response = await client.SendAsync(Post(NonSpineHook(), ClientTokens.Sign(claims, SecuredService.AEc)));

        await AssertEmptyCards(response);
    }

    [Fact]
    public async Task PostHook_Es256ForAClientThatConfiguresIt_Is200()
    {
        using var service = new SecuredService();
        using var client = service.CreateClient();

        using var response = await client.SendAsync(Post(NonSpineHook(), ClientTokens.Sign(ClientTokens.Claims(SecuredService.IssuerC, SecuredService.ServiceUrl, service.Clock.Now), SecuredService.CEc)));

        await AssertEmptyCards(response);
    }

    [Fact]
    public async Task PostHook_JkuKeyFetchedOnceForTwoRequests_Is200Both()
    {
        using var service = new SecuredService();
        using var client = service.CreateClient();
        var jku = new Dictionary<string, object> { ["jku"] = SecuredService.JkuB };

        using var first = await client.SendAsync(Post(NonSpineHook(SecuredService.FhirB), ClientTokens.Sign(service.ClaimsB(), SecuredService.BEc, jku)));
        service.Clock.Advance(TimeSpan.FromSeconds(40));
        using var second = await client.SendAsync(Post(NonSpineHook(), ClientTokens.Sign(service.ClaimsB(), SecuredService.BEc, jku)));

        await AssertEmptyCards(first);
        await AssertEmptyCards(second);
        Assert.Equal(1, service.KeyServer.Fetches(SecuredService.JkuB));
    }

    [Fact]
    public async Task PostHook_NoJkuHeader_KeyFoundAtTheClientsAllowListedUrl()
    {
        using var service = new SecuredService();
        using var client = service.CreateClient();

        using var response = await client.SendAsync(Post(NonSpineHook(), ClientTokens.Sign(service.ClaimsB(), SecuredService.BEc)));

        await AssertEmptyCards(response);
        Assert.Equal([SecuredService.JkuB], service.KeyServer.Requested);
    }

    [Fact]
    public async Task PostHook_RotatedKeyWithNewKid_OneRefreshThen200()
    {
        using var service = new SecuredService();
        using var client = service.CreateClient();
        using var before = await client.SendAsync(Post(NonSpineHook(), ClientTokens.Sign(service.ClaimsB(), SecuredService.BEc)));
        var rotated = ClientKey.Ec384("b-2");
        service.KeyServer.Serve(SecuredService.JkuB, ClientTokens.Jwks(rotated));
        service.Clock.Advance(TimeSpan.FromSeconds(31));

        using var after = await client.SendAsync(Post(NonSpineHook(), ClientTokens.Sign(service.ClaimsB(), rotated)));

        await AssertEmptyCards(before);
        await AssertEmptyCards(after);
        Assert.Equal(2, service.KeyServer.Fetches(SecuredService.JkuB));
    }

    [Fact]
    public async Task OptionsHook_CorsPreflightWithoutToken_IsNotBlocked()
    {
        using var service = new SecuredService();
        using var client = service.CreateClient();
        using var preflight = HttpAssert.Preflight(Path);

        using var response = await client.SendAsync(preflight);

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        Assert.Contains("authorization", string.Join(',', response.Headers.GetValues("Access-Control-Allow-Headers")), StringComparison.OrdinalIgnoreCase);
    }

    [Theory]
    [InlineData("/healthz")]
    [InlineData("/readyz")]
    public async Task GetHealth_WithoutToken_Is200(string path)
    {
        using var service = new SecuredService();
        using var client = service.CreateClient();

        using var response = await client.GetAsync(path);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task PostHook_DevelopmentWithoutTokenAnyFhirServer_Is200()
    {
        using var service = new SecuredService(environment: "Development");
        using var client = service.CreateClient();

        using var response = await client.PostAsync(Path, Json(NonSpineHook("https://anywhere.example.net/fhir")));

        await AssertEmptyCards(response);
        Assert.Contains(service.Logs.Entries, e => e.EventId == 1100 && e.Message.Contains("not checked", StringComparison.Ordinal));
    }

    // ---- rejections: one per rule ----

    [Fact]
    public async Task PostHook_MissingAuthorizationHeader_IsBare401()
    {
        using var service = new SecuredService();
        using var client = service.CreateClient();

        using var response = await client.PostAsync(Path, Json(NonSpineHook()));

        await AssertRefused(service, response, "missing-token");
    }

    [Fact]
    public async Task GetDiscovery_MissingAuthorizationHeader_IsBare401()
    {
        using var service = new SecuredService();
        using var client = service.CreateClient();

        using var response = await client.GetAsync("/cds-services");

        await AssertRefused(service, response, "missing-token");
    }

    [Theory]
    [InlineData("/CDS-SERVICES")]
    [InlineData("/Cds-Services/spine-mri-appropriateness/feedback")]
    public async Task GetOtherSpellingOfThePath_WithoutToken_IsBare401(string path)
    {
        using var service = new SecuredService();
        using var client = service.CreateClient();

        using var response = await client.GetAsync(path);

        await AssertRefused(service, response, "missing-token");
    }

    [Fact]
    public async Task OptionsHook_NotAPreflightWithoutToken_IsBare401()
    {
        using var service = new SecuredService();
        using var client = service.CreateClient();

        using var response = await client.SendAsync(new HttpRequestMessage(HttpMethod.Options, Path));

        await AssertRefused(service, response, "missing-token");
    }

    [Fact]
    public async Task PostHook_BasicInsteadOfBearer_IsBare401()
    {
        using var service = new SecuredService();
        using var client = service.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, Path) { Content = Json(NonSpineHook()) };
        request.Headers.Authorization = new AuthenticationHeaderValue("Basic", "dXNlcjpwYXNz");

        using var response = await client.SendAsync(request);

        await AssertRefused(service, response, "missing-token");
    }

    [Theory]
    [InlineData("not-a-jwt")]
    [InlineData("a.b.c")]
    [InlineData("eyJhbGciOiJFUzM4NCJ9.eyJpc3MiOiJ4In0")]
    [InlineData("eyJhbGciOiJFUzM4NCJ9.bm90IGpzb24.c2ln")]
    public async Task PostHook_MalformedToken_IsBare401(string token)
    {
        using var service = new SecuredService();
        using var client = service.CreateClient();

        using var response = await client.SendAsync(Post(NonSpineHook(), token));

        await AssertRefused(service, response, "malformed-token");
    }

    [Fact]
    public async Task PostHook_DuplicateClaimNames_IsBare401Malformed()
    {
        using var service = new SecuredService();
        using var client = service.CreateClient();
        var signed = ClientTokens.Sign(service.ClaimsA(), SecuredService.AEc).Split('.');
        var payload = Encoding.UTF8.GetString(Base64UrlEncoder.DecodeBytes(signed[1]));
        var doubled = payload.Insert(1, $"\"iss\":\"{SecuredService.IssuerC}\",");

        using var response = await client.SendAsync(Post(NonSpineHook(), $"{signed[0]}.{Base64UrlEncoder.Encode(doubled)}.{signed[2]}"));

        await AssertRefused(service, response, "malformed-token");
    }

    [Theory]
    [InlineData(0, "kid")] // header
    [InlineData(1, "iss")] // payload
    [InlineData(1, "jti")]
    public async Task PostHook_EscapeThatIsNotUtf16InAClaim_IsBare401Malformed(int part, string claim)
    {
        using var service = new SecuredService();
        using var client = service.CreateClient();
        var signed = ClientTokens.Sign(service.ClaimsA(), SecuredService.AEc).Split('.');
        var json = JsonNode.Parse(Base64UrlEncoder.DecodeBytes(signed[part]))!.AsObject();
        json[claim] = "@@";
        signed[part] = Base64UrlEncoder.Encode(json.ToJsonString().Replace("\"@@\"", "\"x\\uD800\"", StringComparison.Ordinal));

        using var response = await client.SendAsync(Post(NonSpineHook(), string.Join('.', signed)));

        await AssertRefused(service, response, "malformed-token");
    }

    [Fact]
    public async Task PostHook_AlgNone_IsBare401()
    {
        using var service = new SecuredService();
        using var client = service.CreateClient();

        using var response = await client.SendAsync(Post(NonSpineHook(), ClientTokens.Unsigned(service.ClaimsA(), SecuredService.AEc.Kid)));

        await AssertRefused(service, response, "alg-not-allowed");
    }

    [Fact]
    public async Task PostHook_Hs256_IsBare401()
    {
        using var service = new SecuredService();
        using var client = service.CreateClient();

        using var response = await client.SendAsync(Post(NonSpineHook(), ClientTokens.Hmac(service.ClaimsA(), SecuredService.AEc.Kid)));

        await AssertRefused(service, response, "alg-not-allowed");
    }

    [Fact]
    public async Task PostHook_Es256FromAClientWithDefaultAlgorithms_IsBare401()
    {
        using var service = new SecuredService();
        using var client = service.CreateClient();

        using var response = await client.SendAsync(Post(NonSpineHook(), ClientTokens.Sign(service.ClaimsA(), SecuredService.CEc)));

        await AssertRefused(service, response, "alg-not-allowed");
    }

    [Fact]
    public async Task PostHook_Ps384_IsBare401()
    {
        using var service = new SecuredService();
        using var client = service.CreateClient();

        using var response = await client.SendAsync(Post(NonSpineHook(), ClientTokens.Sign(service.ClaimsA(), SecuredService.ARsa.Key, SecurityAlgorithms.RsaSsaPssSha384)));

        await AssertRefused(service, response, "alg-not-allowed");
    }

    [Fact]
    public async Task PostHook_Expired_IsBare401()
    {
        using var service = new SecuredService();
        using var client = service.CreateClient();
        var claims = service.ClaimsA();
        claims["iat"] = (service.Clock.Now - TimeSpan.FromMinutes(4)).ToUnixTimeSeconds();
        claims["exp"] = (service.Clock.Now - TimeSpan.FromSeconds(61)).ToUnixTimeSeconds();

        using var response = await client.SendAsync(Post(NonSpineHook(), ClientTokens.Sign(claims, SecuredService.AEc)));

        await AssertRefused(service, response, "expired");
    }

    [Fact]
    public async Task PostHook_ExpiredWithinSkew_Is200()
    {
        using var service = new SecuredService();
        using var client = service.CreateClient();
        var claims = service.ClaimsA();
        claims["exp"] = (service.Clock.Now - TimeSpan.FromSeconds(30)).ToUnixTimeSeconds();
        claims["iat"] = (service.Clock.Now - TimeSpan.FromMinutes(1)).ToUnixTimeSeconds();

        using var response = await client.SendAsync(Post(NonSpineHook(), ClientTokens.Sign(claims, SecuredService.AEc)));

        await AssertEmptyCards(response);
    }

    [Fact]
    public async Task PostHook_MissingExp_IsBare401()
    {
        using var service = new SecuredService();
        using var client = service.CreateClient();
        var claims = service.ClaimsA();
        claims.Remove("exp");

        using var response = await client.SendAsync(Post(NonSpineHook(), ClientTokens.Sign(claims, SecuredService.AEc)));

        await AssertRefused(service, response, "missing-exp");
    }

    [Fact]
    public async Task PostHook_NotYetValidByNbf_IsBare401()
    {
        using var service = new SecuredService();
        using var client = service.CreateClient();
        var claims = service.ClaimsA();
        claims["nbf"] = (service.Clock.Now + TimeSpan.FromMinutes(2)).ToUnixTimeSeconds();

        using var response = await client.SendAsync(Post(NonSpineHook(), ClientTokens.Sign(claims, SecuredService.AEc)));

        await AssertRefused(service, response, "not-yet-valid");
    }

    [Fact]
    public async Task PostHook_MissingIat_IsBare401()
    {
        using var service = new SecuredService();
        using var client = service.CreateClient();
        var claims = service.ClaimsA();
        claims.Remove("iat");

        using var response = await client.SendAsync(Post(NonSpineHook(), ClientTokens.Sign(claims, SecuredService.AEc)));

        await AssertRefused(service, response, "missing-iat");
    }

    [Fact]
    public async Task PostHook_IatTooFarInTheFuture_IsBare401()
    {
        using var service = new SecuredService();
        using var client = service.CreateClient();
        var claims = service.ClaimsA();
        claims["iat"] = (service.Clock.Now + TimeSpan.FromSeconds(90)).ToUnixTimeSeconds();
        claims["exp"] = (service.Clock.Now + TimeSpan.FromMinutes(6)).ToUnixTimeSeconds();

        using var response = await client.SendAsync(Post(NonSpineHook(), ClientTokens.Sign(claims, SecuredService.AEc)));

        await AssertRefused(service, response, "iat-in-future");
    }

    [Fact]
    public async Task PostHook_IatOlderThanMaxAgeThoughExpLater_IsBare401()
    {
        using var service = new SecuredService();
        using var client = service.CreateClient();
        var claims = service.ClaimsA();
        claims["iat"] = (service.Clock.Now - TimeSpan.FromMinutes(6)).ToUnixTimeSeconds();
        claims["exp"] = (service.Clock.Now + TimeSpan.FromHours(1)).ToUnixTimeSeconds();

        using var response = await client.SendAsync(Post(NonSpineHook(), ClientTokens.Sign(claims, SecuredService.AEc)));

        await AssertRefused(service, response, "token-too-old");
    }

    [Theory]
    [InlineData("https://cds.example.org/cds-services/spine-mri-appropriateness")]
    [InlineData("http://localhost/cds-services")]
    [InlineData("http://localhost/cds-services/spine-mri-appropriateness/feedback")]
    public async Task PostHook_WrongAudience_IsBare401(string audience)
    {
        using var service = new SecuredService();
        using var client = service.CreateClient();

        using var response = await client.SendAsync(Post(NonSpineHook(), ClientTokens.Sign(service.ClaimsA(audience), SecuredService.AEc)));

        await AssertRefused(service, response, "wrong-audience");
    }

    [Fact]
    public async Task PostHook_CalledUrlWhereAClientConfiguresItsAudience_IsBare401()
    {
        using var service = new SecuredService();
        using var client = service.CreateClient();
        var claims = service.ClaimsB();
        claims["aud"] = SecuredService.ServiceUrl;

        using var response = await client.SendAsync(Post(NonSpineHook(), ClientTokens.Sign(claims, SecuredService.BEc)));

        await AssertRefused(service, response, "wrong-audience");
    }

    [Fact]
    public async Task PostHook_AudienceOfPublicBaseUrl_Is200AndCalledHostIsNot()
    {
        using var service = new SecuredService(new() { ["Hooks:PublicBaseUrl"] = "https://cds.example.org/imaging/" });
        using var client = service.CreateClient();

        using var accepted = await client.SendAsync(Post(NonSpineHook(), ClientTokens.Sign(service.ClaimsA("https://cds.example.org/imaging" + Path), SecuredService.AEc)));
        using var refused = await client.SendAsync(Post(NonSpineHook(), ClientTokens.Sign(service.ClaimsA(), SecuredService.AEc)));

        await AssertEmptyCards(accepted);
        await AssertRefused(service, refused, "wrong-audience");
    }

    [Fact]
    public async Task PostHook_WrongTenant_IsBare401()
    {
        using var service = new SecuredService();
        using var client = service.CreateClient();
        var claims = service.ClaimsB();
        claims["tenant"] = "site-8";

        using var response = await client.SendAsync(Post(NonSpineHook(), ClientTokens.Sign(claims, SecuredService.BEc)));

        await AssertRefused(service, response, "wrong-tenant");
    }

    [Fact]
    public async Task PostHook_UnknownIssuer_IsBare401()
    {
        using var service = new SecuredService();
        using var client = service.CreateClient();

        using var response = await client.SendAsync(Post(NonSpineHook(), ClientTokens.Sign(ClientTokens.Claims("https://stranger.example.com", SecuredService.ServiceUrl, service.Clock.Now), SecuredService.AEc)));

        await AssertRefused(service, response, "unknown-issuer");
    }

    [Fact]
    public async Task PostHook_JkuNotAllowListed_IsBare401AndNeverFetched()
    {
        using var service = new SecuredService();
        using var client = service.CreateClient();
        const string Attacker = "https://attacker.example.com/jwks.json";
        service.KeyServer.Serve(Attacker, ClientTokens.Jwks(SecuredService.BEc));

        using var response = await client.SendAsync(Post(NonSpineHook(), ClientTokens.Sign(service.ClaimsB(), SecuredService.BEc, new() { ["jku"] = Attacker })));

        await AssertRefused(service, response, "jku-not-allowed");
        Assert.Empty(service.KeyServer.Requested);
    }

    [Fact]
    public async Task PostHook_JkuOfAnotherClient_IsBare401()
    {
        using var service = new SecuredService();
        using var client = service.CreateClient();

        using var response = await client.SendAsync(Post(NonSpineHook(), ClientTokens.Sign(service.ClaimsA(), SecuredService.AEc, new() { ["jku"] = SecuredService.JkuB })));

        await AssertRefused(service, response, "jku-not-allowed");
    }

    [Fact]
    public async Task PostHook_UnknownKidInlineKeys_IsBare401()
    {
        using var service = new SecuredService();
        using var client = service.CreateClient();

        using var response = await client.SendAsync(Post(NonSpineHook(), ClientTokens.Sign(service.ClaimsA(), ClientKey.Ec384("a-unknown"))));

        await AssertRefused(service, response, "unknown-kid");
    }

    [Fact]
    public async Task PostHook_UnknownKidAtJku_RefusedAfterExactlyOneRefresh()
    {
        using var service = new SecuredService();
        using var client = service.CreateClient();
        using var warm = await client.SendAsync(Post(NonSpineHook(), ClientTokens.Sign(service.ClaimsB(), SecuredService.BEc)));
        service.Clock.Advance(TimeSpan.FromSeconds(31));

        using var response = await client.SendAsync(Post(NonSpineHook(), ClientTokens.Sign(service.ClaimsB(), ClientKey.Ec384("b-unknown"))));

        await AssertEmptyCards(warm);
        await AssertRefused(service, response, "unknown-kid");
        Assert.Equal(2, service.KeyServer.Fetches(SecuredService.JkuB));
    }

    [Fact]
    public async Task PostHook_UnknownKidsInARow_RefreshRateLimited()
    {
        using var service = new SecuredService();
        using var client = service.CreateClient();
        using var warm = await client.SendAsync(Post(NonSpineHook(), ClientTokens.Sign(service.ClaimsB(), SecuredService.BEc)));
        service.Clock.Advance(TimeSpan.FromSeconds(31));

        for (var i = 0; i < 5; i++)
        {
            using var response = await client.SendAsync(Post(NonSpineHook(), ClientTokens.Sign(service.ClaimsB(), ClientKey.Ec384($"b-unknown-{i}"))));
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        }

        Assert.Equal(2, service.KeyServer.Fetches(SecuredService.JkuB));
    }

    [Fact]
    public async Task PostHook_KeyServerDown_IsBare401JwksUnavailable()
    {
        using var service = new SecuredService();
        using var client = service.CreateClient();
        service.KeyServer.Failure = HttpStatusCode.ServiceUnavailable;

        using var response = await client.SendAsync(Post(NonSpineHook(), ClientTokens.Sign(service.ClaimsB(), SecuredService.BEc)));

        await AssertRefused(service, response, "jwks-unavailable");
    }

    [Fact]
    public async Task PostHook_MissingKid_IsBare401()
    {
        using var service = new SecuredService();
        using var client = service.CreateClient();
        var keyWithoutId = new ECDsaKeyWithoutId(SecuredService.AEc);

        using var response = await client.SendAsync(Post(NonSpineHook(), ClientTokens.Sign(service.ClaimsA(), keyWithoutId.Key, SecurityAlgorithms.EcdsaSha384)));

        await AssertRefused(service, response, "missing-kid");
    }

    [Fact]
    public async Task PostHook_BadSignature_IsBare401()
    {
        using var service = new SecuredService();
        using var client = service.CreateClient();

        using var response = await client.SendAsync(Post(NonSpineHook(), ClientTokens.Sign(service.ClaimsA(), SecuredService.AEc.Impostor())));

        await AssertRefused(service, response, "bad-signature");
    }

    [Fact]
    public async Task PostHook_ClaimsAlteredAfterSigning_IsBare401BadSignature()
    {
        using var service = new SecuredService();
        using var client = service.CreateClient();
        var signed = ClientTokens.Sign(service.ClaimsA(), SecuredService.AEc).Split('.');
        var claims = service.ClaimsA();
        claims["sub"] = "someone-else";
        var altered = ClientTokens.Sign(claims, SecuredService.AEc).Split('.')[1];

        using var response = await client.SendAsync(Post(NonSpineHook(), $"{signed[0]}.{altered}.{signed[2]}"));

        await AssertRefused(service, response, "bad-signature");
    }

    [Fact]
    public async Task PostHook_MissingJti_IsBare401()
    {
        using var service = new SecuredService();
        using var client = service.CreateClient();
        var claims = service.ClaimsA();
        claims.Remove("jti");

        using var response = await client.SendAsync(Post(NonSpineHook(), ClientTokens.Sign(claims, SecuredService.AEc)));

        await AssertRefused(service, response, "missing-jti");
    }

    [Fact]
    public async Task PostHook_ReplayedJti_SecondIsBare401()
    {
        using var service = new SecuredService();
        using var client = service.CreateClient();
        var token = ClientTokens.Sign(service.ClaimsA(), SecuredService.AEc);

        using var first = await client.SendAsync(Post(NonSpineHook(), token));
        service.Clock.Advance(TimeSpan.FromMinutes(2));
        using var replay = await client.SendAsync(Post(NonSpineHook(), token));

        await AssertEmptyCards(first);
        await AssertRefused(service, replay, "replayed-jti");
    }

    [Fact]
    public async Task PostHook_SameJtiInANewlySignedToken_IsBare401()
    {
        using var service = new SecuredService();
        using var client = service.CreateClient();
        var claims = service.ClaimsA();
        using var first = await client.SendAsync(Post(NonSpineHook(), ClientTokens.Sign(claims, SecuredService.AEc)));
        claims["iat"] = service.Clock.Now.ToUnixTimeSeconds() + 1;

        using var again = await client.SendAsync(Post(NonSpineHook(), ClientTokens.Sign(claims, SecuredService.ARsa)));

        await AssertEmptyCards(first);
        await AssertRefused(service, again, "replayed-jti");
    }

    [Theory]
    [InlineData("https://evil.example.org/fhir/r4")]
    [InlineData("https://ehr-a.example.org/fhir/r4-other")]
    [InlineData("https://ehr-a.example.org/fhir")]
    [InlineData(SecuredService.FhirB)]
    public async Task PostHook_FhirServerNotAllowedForTheClient_IsBare401(string fhirServer)
    {
        using var service = new SecuredService();
        using var client = service.CreateClient();

        using var response = await client.SendAsync(Post(NonSpineHook(fhirServer), ClientTokens.Sign(service.ClaimsA(), SecuredService.AEc)));

        await AssertRefused(service, response, "fhir-server-not-allowed");
    }

    [Fact]
    public async Task PostHook_RefusedRequest_LogHasReasonButNoTokenOrClaimValue()
    {
        using var service = new SecuredService();
        using var client = service.CreateClient();
        var claims = service.ClaimsA();
        claims["exp"] = (service.Clock.Now - TimeSpan.FromMinutes(2)).ToUnixTimeSeconds();
        claims["sub"] = "Patient/pat-1-secret";
        var token = ClientTokens.Sign(claims, SecuredService.AEc);

        using var response = await client.SendAsync(Post(NonSpineHook(), token));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        var refusal = Assert.Single(service.Logs.Entries, e => e.EventId == 1103);
        Assert.Equal(LogLevel.Warning, refusal.Level);
        Assert.Contains("expired", refusal.Message, StringComparison.Ordinal);
        var everything = string.Join('\n', service.Logs.Entries.Select(e => e.AllText));
        foreach (var secret in token.Split('.').Append(token).Append((string)claims["jti"]).Append("pat-1-secret").Append(Some.PatientId))
        {
            Assert.DoesNotContain(secret, everything, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task PostHook_UnknownIssuer_LogDoesNotEchoTheClaimedIssuer()
    {
        using var service = new SecuredService();
        using var client = service.CreateClient();
        const string Claimed = "https://stranger.example.com/patient-42";

        using var response = await client.SendAsync(Post(NonSpineHook(), ClientTokens.Sign(ClientTokens.Claims(Claimed, SecuredService.ServiceUrl, service.Clock.Now), SecuredService.AEc)));

        await AssertRefused(service, response, "unknown-issuer");
        Assert.DoesNotContain(service.Logs.Entries, e => e.AllText.Contains("stranger", StringComparison.Ordinal));
    }

    // ---- start-up ----

    [Theory]
    [InlineData("Security:Clients:0:AllowedAlgorithms:0", "HS256", "AllowedAlgorithms")]
    [InlineData("Security:Clients:0:AllowedAlgorithms:0", "none", "AllowedAlgorithms")]
    [InlineData("Security:Clients:1:JkuUrls:0", "http://keys.ehr-b.example.org/jwks.json", "JkuUrls")]
    [InlineData("Security:Clients:0:Jwks", "{\"keys\":", "Jwks")]
    [InlineData("Security:Clients:0:Jwks", "{\"keys\":[{\"kty\":\"oct\",\"k\":\"c2VjcmV0\",\"kid\":\"s\"}]}", "Jwks")]
    [InlineData("Security:Clients:0:FhirServers:0", "http://ehr-a.example.org/fhir", "FhirServers")]
    [InlineData("Security:Clients:2:Issuer", SecuredService.IssuerA, "Issuer")]
    [InlineData("Security:ClockSkewSeconds", "3600", "ClockSkewSeconds")]
    public void Start_InvalidSecuritySetting_RefusesToStartNamingIt(string key, string value, string setting)
    {
        using var service = new SecuredService(new() { [key] = value });

        var error = Assert.ThrowsAny<Exception>(() => service.CreateClient());

        var validation = Assert.IsType<OptionsValidationException>(error.GetBaseException() as OptionsValidationException ?? error);
        Assert.Contains(validation.Failures, f => f.Contains(setting, StringComparison.Ordinal));
    }

    [Fact]
    public void Start_ClientWithNeitherJkuUrlsNorJwks_RefusesToStart()
    {
        using var service = new SecuredService(new() { ["Security:Clients:3:Issuer"] = "https://ehr-d.example.org" });

        var error = Assert.ThrowsAny<Exception>(() => service.CreateClient());

        Assert.Contains("JkuUrls or Jwks", error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Start_NoClientsConfigured_StartsAndRefusesEveryHookWithLogNotice()
    {
        using var service = new SecuredService(trustClients: false);
        using var client = service.CreateClient();

        using var response = await client.SendAsync(Post(NonSpineHook(), ClientTokens.Sign(service.ClaimsA(), SecuredService.AEc)));

        await AssertRefused(service, response, "unknown-issuer");
        Assert.Contains(service.Logs.Entries, e => e.EventId == 1101);
    }

    // ---- helpers ----

    /// <summary>An order-sign request whose only draft orders are not spine MRI (a knee MRI and a lab), with an optional fhirServer.</summary>
    private static JsonObject NonSpineHook(string? fhirServer = null)
    {
        var body = Some.OrderSignRequest(
            Some.SpineMriOrder("knee", cpt: "73721"),
            Some.ServiceRequest("cbc", "draft", "2024-05-17", Some.Coding("http://loinc.org", "58410-2")));
        if (fhirServer is not null)
        {
            body["fhirServer"] = fhirServer;
        }

        return body;
    }

    private static HttpRequestMessage Post(JsonObject body, string token)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, Path) { Content = Json(body) };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return request;
    }

    private static HttpRequestMessage Get(string path, string token)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return request;
    }

    private static StringContent Json(JsonNode body) => new(body.ToJsonString(), Encoding.UTF8, "application/json");

    private static async Task AssertEmptyCards(HttpResponseMessage response)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"expected 200, got {(int)response.StatusCode}: {body}");
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""{"cards":[]}"""), JsonNode.Parse(body)), body);
    }

    /// <summary>A bare 401 (no body) with <c>WWW-Authenticate: Bearer error="invalid_token"</c>, logged with <paramref name="reason"/>.</summary>
    private static async Task AssertRefused(SecuredService service, HttpResponseMessage response, string reason)
    {
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("Bearer error=\"invalid_token\"", Assert.Single(response.Headers.WwwAuthenticate).ToString());
        Assert.Empty(await response.Content.ReadAsByteArrayAsync());
        Assert.Equal(reason, service.RefusalReasons().LastOrDefault());
    }

    /// <summary>The public/private pair of a key, as a signing key that carries no <c>kid</c>.</summary>
    private sealed class ECDsaKeyWithoutId(ClientKey key)
    {
        public SecurityKey Key { get; } = new ECDsaSecurityKey(((ECDsaSecurityKey)key.Key).ECDsa);
    }
}
