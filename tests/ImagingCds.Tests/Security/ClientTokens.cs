using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace ImagingCds.Tests.Security;

/// <summary>A CDS client's key pair, made in the test: ECDsa P-384 / P-256 or RSA 2048, with its <c>kid</c>.</summary>
internal sealed class ClientKey
{
    private ClientKey(AsymmetricSecurityKey key, string alg, JsonObject publicJwk)
    {
        Key = key;
        Alg = alg;
        PublicJwk = publicJwk;
    }

    /// <summary>The private key, for signing.</summary>
    public AsymmetricSecurityKey Key { get; }

    /// <summary>The JWS algorithm this key signs with by default.</summary>
    public string Alg { get; }

    public string Kid => Key.KeyId;

    /// <summary>The public JWK (no private parts), as a client publishes it.</summary>
    public JsonObject PublicJwk { get; }

    public static ClientKey Ec384(string kid) => Ec(ECCurve.NamedCurves.nistP384, "P-384", SecurityAlgorithms.EcdsaSha384, kid);

    public static ClientKey Ec256(string kid) => Ec(ECCurve.NamedCurves.nistP256, "P-256", SecurityAlgorithms.EcdsaSha256, kid);

    public static ClientKey Rsa2048(string kid)
    {
        var rsa = RSA.Create(2048);
        var p = rsa.ExportParameters(includePrivateParameters: false);
        var jwk = new JsonObject { ["kty"] = "RSA", ["use"] = "sig", ["kid"] = kid, ["n"] = B64(p.Modulus!), ["e"] = B64(p.Exponent!) };
        return new ClientKey(new RsaSecurityKey(rsa) { KeyId = kid }, SecurityAlgorithms.RsaSha384, jwk);
    }

    /// <summary>The same kind of key with the same <c>kid</c> but a different secret: what a forger would sign with.</summary>
    public ClientKey Impostor() => Key switch
    {
        RsaSecurityKey => Rsa2048(Kid),
        _ when Alg == SecurityAlgorithms.EcdsaSha256 => Ec256(Kid),
        _ => Ec384(Kid),
    };

    private static ClientKey Ec(ECCurve curve, string crv, string alg, string kid)
    {
        var ecdsa = ECDsa.Create(curve);
        var p = ecdsa.ExportParameters(includePrivateParameters: false);
        var jwk = new JsonObject { ["kty"] = "EC", ["use"] = "sig", ["crv"] = crv, ["kid"] = kid, ["x"] = B64(p.Q.X!), ["y"] = B64(p.Q.Y!) };
        return new ClientKey(new ECDsaSecurityKey(ecdsa) { KeyId = kid }, alg, jwk);
    }

    private static string B64(byte[] bytes) => Base64UrlEncoder.Encode(bytes);
}

/// <summary>JWK Sets and client JWTs for tests.</summary>
internal static class ClientTokens
{
    /// <summary>A JWK Set document holding the public halves of <paramref name="keys"/>.</summary>
    public static string Jwks(params ClientKey[] keys) =>
        new JsonObject { ["keys"] = new JsonArray([.. keys.Select(k => (JsonNode)k.PublicJwk.DeepClone())]) }.ToJsonString();

    /// <summary>
    /// The claims a CDS client sends (CDS Hooks 2.0): <c>iss</c>, <c>aud</c>, <c>exp</c> (now + 5 min), <c>iat</c> (now),
    /// a fresh <c>jti</c>; tests change or remove entries before signing.
    /// </summary>
    public static Dictionary<string, object> Claims(string issuer, string audience, DateTimeOffset now) => new(StringComparer.Ordinal)
    {
        ["iss"] = issuer,
        ["sub"] = "client-app-1",
        ["aud"] = audience,
        ["exp"] = (now + TimeSpan.FromMinutes(5)).ToUnixTimeSeconds(),
        ["iat"] = now.ToUnixTimeSeconds(),
        ["jti"] = Guid.NewGuid().ToString(),
    };

    /// <summary>A compact JWS of <paramref name="claims"/> signed by <paramref name="key"/> (<c>kid</c> from the key).</summary>
    public static string Sign(Dictionary<string, object> claims, SecurityKey key, string alg, Dictionary<string, object>? header = null)
    {
        var handler = new JsonWebTokenHandler { SetDefaultTimesOnTokenCreation = false };
        return handler.CreateToken(new SecurityTokenDescriptor
        {
            Claims = claims,
            SigningCredentials = new SigningCredentials(key, alg),
            AdditionalHeaderClaims = header,
        });
    }

    public static string Sign(Dictionary<string, object> claims, ClientKey key, Dictionary<string, object>? header = null) =>
        Sign(claims, key.Key, key.Alg, header);

    /// <summary>An unsecured JWT (<c>alg: none</c>, empty signature), as an attacker would send one.</summary>
    public static string Unsigned(Dictionary<string, object> claims, string kid)
    {
        var header = new JsonObject { ["alg"] = "none", ["typ"] = "JWT", ["kid"] = kid };
        var payload = JsonNode.Parse(System.Text.Json.JsonSerializer.Serialize(claims))!;
        return $"{Part(header)}.{Part(payload)}.";
    }

    /// <summary>An HS256 token (a shared secret, as if the public key were one): never accepted.</summary>
    public static string Hmac(Dictionary<string, object> claims, string kid) =>
        Sign(claims, new SymmetricSecurityKey(RandomNumberGenerator.GetBytes(32)) { KeyId = kid }, SecurityAlgorithms.HmacSha256);

    private static string Part(JsonNode json) => Base64UrlEncoder.Encode(Encoding.UTF8.GetBytes(json.ToJsonString()));
}
