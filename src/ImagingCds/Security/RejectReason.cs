namespace ImagingCds.Security;

/// <summary>
/// Why a request under <c>/cds-services</c> was refused with 401. Logged as its stable <see cref="RejectReasons.Code"/>;
/// the client sees only <c>WWW-Authenticate: Bearer error="invalid_token"</c>.
/// </summary>
internal enum RejectReason
{
    /// <summary>No <c>Authorization: Bearer</c> header.</summary>
    MissingToken,

    /// <summary>Not a compact JWS (three base64url parts with JSON header and payload), encrypted, or too large.</summary>
    MalformedToken,

    /// <summary><c>alg</c> is <c>none</c>, HMAC or anything outside the client's allowed list.</summary>
    AlgorithmNotAllowed,

    /// <summary><c>iss</c> missing or not a configured client.</summary>
    UnknownIssuer,

    /// <summary>No <c>kid</c> header.</summary>
    MissingKid,

    /// <summary>The <c>jku</c> header is not one of the client's allow-listed URLs (it is never fetched).</summary>
    JkuNotAllowed,

    /// <summary>No key of the client has this <c>kid</c> (and fits <c>alg</c>), even after one refresh.</summary>
    UnknownKid,

    /// <summary>The client's key set could not be fetched and no key for the <c>kid</c> is held.</summary>
    JwksUnavailable,

    /// <summary>The signature does not verify with the client's key.</summary>
    BadSignature,

    /// <summary>No numeric <c>exp</c>.</summary>
    MissingExp,

    /// <summary><c>exp</c> is in the past (beyond the skew).</summary>
    Expired,

    /// <summary>No numeric <c>iat</c>.</summary>
    MissingIat,

    /// <summary><c>iat</c> is in the future (beyond the skew).</summary>
    IatInFuture,

    /// <summary><c>iat</c> is older than <see cref="SecurityOptions.MaxTokenAgeSeconds"/>.</summary>
    TokenTooOld,

    /// <summary><c>nbf</c> is in the future (beyond the skew).</summary>
    NotYetValid,

    /// <summary><c>aud</c> is neither the configured audience nor, when none is configured, the called URL.</summary>
    WrongAudience,

    /// <summary>The client requires a <c>tenant</c> claim and the token's differs or is missing.</summary>
    WrongTenant,

    /// <summary>No <c>jti</c>, or one longer than 256 characters.</summary>
    MissingJti,

    /// <summary>This <c>jti</c> was already accepted from this client within the token's life.</summary>
    ReplayedJti,

    /// <summary>The hook's <c>fhirServer</c> is not one of the authenticated client's FHIR servers.</summary>
    FhirServerNotAllowed,
}

/// <summary>Stable wire codes of <see cref="RejectReason"/>, as they appear in the log.</summary>
internal static class RejectReasons
{
    public static string Code(this RejectReason reason) => reason switch
    {
        RejectReason.MissingToken => "missing-token",
        RejectReason.MalformedToken => "malformed-token",
        RejectReason.AlgorithmNotAllowed => "alg-not-allowed",
        RejectReason.UnknownIssuer => "unknown-issuer",
        RejectReason.MissingKid => "missing-kid",
        RejectReason.JkuNotAllowed => "jku-not-allowed",
        RejectReason.UnknownKid => "unknown-kid",
        RejectReason.JwksUnavailable => "jwks-unavailable",
        RejectReason.BadSignature => "bad-signature",
        RejectReason.MissingExp => "missing-exp",
        RejectReason.Expired => "expired",
        RejectReason.MissingIat => "missing-iat",
        RejectReason.IatInFuture => "iat-in-future",
        RejectReason.TokenTooOld => "token-too-old",
        RejectReason.NotYetValid => "not-yet-valid",
        RejectReason.WrongAudience => "wrong-audience",
        RejectReason.WrongTenant => "wrong-tenant",
        RejectReason.MissingJti => "missing-jti",
        RejectReason.ReplayedJti => "replayed-jti",
        RejectReason.FhirServerNotAllowed => "fhir-server-not-allowed",
        _ => throw new ArgumentOutOfRangeException(nameof(reason), reason, null),
    };
}
