using Microsoft.IdentityModel.Tokens;

namespace ImagingCds.Security;

/// <summary>Reading a JWK Set (RFC 7517 §5) and matching its keys to a JWS algorithm. Pure.</summary>
internal static class JwksDocument
{
    /// <summary>Smallest RSA modulus accepted, in bits (NIST SP 800-131A).</summary>
    public const int MinRsaBits = 2048;

    /// <summary>
    /// The signing keys of a JWK Set: EC and RSA public keys that have a <c>kid</c> and are not marked for encryption
    /// (<c>use</c> absent or <c>sig</c>). Symmetric (<c>oct</c>) and other keys are dropped.
    /// </summary>
    /// <param name="error">Why the text is not a JWK Set, or null.</param>
    public static IReadOnlyList<JsonWebKey> SigningKeys(string json, out string? error)
    {
        error = null;
        JsonWebKeySet set;
        try
        {
            set = new JsonWebKeySet(json);
        }
        catch (ArgumentException)
        {
            error = "not a JWK Set (JSON {\"keys\":[…]})";
            return [];
        }
        catch (System.Text.Json.JsonException)
        {
            error = "not valid JSON";
            return [];
        }

        return [.. set.Keys.Where(k =>
            (k.Kty == JsonWebAlgorithmsKeyTypes.EllipticCurve || k.Kty == JsonWebAlgorithmsKeyTypes.RSA) &&
            (string.IsNullOrEmpty(k.Use) || k.Use == JsonWebKeyUseNames.Sig) &&
            !string.IsNullOrEmpty(k.Kid))];
    }

    /// <summary>
    /// Whether <paramref name="key"/> can verify <paramref name="alg"/>: ES256 needs a P-256 key, ES384 a P-384 key,
    /// RS256/RS384 an RSA key of at least <see cref="MinRsaBits"/> bits; a key that names its own <c>alg</c> must name this one.
    /// </summary>
    public static bool Fits(JsonWebKey key, string alg)
    {
        ArgumentNullException.ThrowIfNull(key);
        if (!string.IsNullOrEmpty(key.Alg) && key.Alg != alg)
        {
            return false;
        }

        return alg switch
        {
            SecurityAlgorithms.EcdsaSha256 => key.Kty == JsonWebAlgorithmsKeyTypes.EllipticCurve && key.Crv == JsonWebKeyECTypes.P256,
            SecurityAlgorithms.EcdsaSha384 => key.Kty == JsonWebAlgorithmsKeyTypes.EllipticCurve && key.Crv == JsonWebKeyECTypes.P384,
            SecurityAlgorithms.RsaSha256 or SecurityAlgorithms.RsaSha384 => key.Kty == JsonWebAlgorithmsKeyTypes.RSA && RsaBits(key) >= MinRsaBits,
            _ => false,
        };
    }

    private static int RsaBits(JsonWebKey key)
    {
        if (string.IsNullOrEmpty(key.N))
        {
            return 0;
        }

        try
        {
            var modulus = Base64UrlEncoder.DecodeBytes(key.N).AsSpan().TrimStart((byte)0);
            return modulus.Length * 8;
        }
        catch (FormatException)
        {
            return 0;
        }
    }
}
