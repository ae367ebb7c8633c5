using ImagingCds.Security;
using Microsoft.IdentityModel.Tokens;

namespace ImagingCds.Tests.Security;

public sealed class JwksDocumentTests
{
    [Fact]
    public void SigningKeys_MixedSet_KeepsOnlyEcAndRsaSigningKeysWithKid()
    {
        var json = $$"""
            {"keys":[
              {{SecuredService.AEc.PublicJwk.ToJsonString()}},
              {{SecuredService.ARsa.PublicJwk.ToJsonString()}},
              {"kty":"oct","k":"c2VjcmV0","kid":"hmac"},
              {"kty":"EC","crv":"P-384","x":"AA","y":"AA","use":"enc","kid":"enc"},
              {"kty":"EC","crv":"P-384","x":"AA","y":"AA"}
            ]}
            """;

        var keys = JwksDocument.SigningKeys(json, out var error);

        Assert.Null(error);
        Assert.Equal([SecuredService.AEc.Kid, SecuredService.ARsa.Kid], keys.Select(k => k.Kid));
    }

    [Theory]
    [InlineData("not json")]
    [InlineData("{\"keys\":")]
    public void SigningKeys_NotAJwkSet_NamesTheProblem(string json)
    {
        var keys = JwksDocument.SigningKeys(json, out var error);

        Assert.Empty(keys);
        Assert.NotNull(error);
    }

    [Theory]
    [InlineData("ES384", true)]
    [InlineData("ES256", false)]
    [InlineData("RS384", false)]
    public void Fits_P384Key_OnlyEs384(string alg, bool fits) =>
        Assert.Equal(fits, JwksDocument.Fits(Jwk(SecuredService.AEc), alg));

    [Theory]
    [InlineData("RS384", true)]
    [InlineData("RS256", true)]
    [InlineData("ES384", false)]
    public void Fits_Rsa2048Key_RsAlgorithms(string alg, bool fits) =>
        Assert.Equal(fits, JwksDocument.Fits(Jwk(SecuredService.ARsa), alg));

    [Fact]
    public void Fits_Rsa1024Key_False()
    {
        using var rsa = System.Security.Cryptography.RSA.Create(1024);
        var jwk = JsonWebKeyConverter.ConvertFromRSASecurityKey(new RsaSecurityKey(rsa.ExportParameters(false)) { KeyId = "small" });

        Assert.False(JwksDocument.Fits(jwk, "RS384"));
    }

    [Fact]
    public void Fits_KeyNamingAnotherAlg_False()
    {
        var jwk = Jwk(SecuredService.ARsa);
        jwk.Alg = "RS256";

        Assert.False(JwksDocument.Fits(jwk, "RS384"));
    }

    private static JsonWebKey Jwk(ClientKey key) => new(key.PublicJwk.ToJsonString());
}
