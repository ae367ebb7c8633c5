using System.ComponentModel.DataAnnotations;

namespace ImagingCds.Security;

/// <summary>
/// Trust in CDS clients (section <c>Security</c> of configuration; every setting is listed in
/// <c>docs/configuration-security.md</c>). Read only outside the Development environment, where every request under
/// <c>/cds-services</c> must carry a CDS client JWT (https://cds-hooks.org/specification/current/#trusting-cds-clients).
/// </summary>
public sealed class SecurityOptions
{
    public const string Section = "Security";

    /// <summary>
    /// The trusted CDS clients (EHRs), one per <c>iss</c>. Default: none, so outside Development every request under
    /// <c>/cds-services</c> is refused (fail closed) and the start-up log says so.
    /// </summary>
    public List<TrustedClientOptions> Clients { get; set; } = [];

    /// <summary>Clock skew allowed on <c>exp</c>, <c>nbf</c> and a future <c>iat</c>, in seconds. Default 60; 0 to 300.</summary>
    [Range(0, 300)]
    public int ClockSkewSeconds { get; set; } = 60;

    /// <summary>
    /// Oldest token accepted, measured from its <c>iat</c>, in seconds (CDS Hooks caps a client JWT's life at five minutes).
    /// Default 300; 30 to 3600. A token whose <c>iat</c> is more than this in the past is refused even if <c>exp</c> is later.
    /// </summary>
    [Range(30, 3600)]
    public int MaxTokenAgeSeconds { get; set; } = 300;

    /// <summary>Time allowed for one fetch of a client's JWK Set (connect to last byte), in seconds. Default 5; 1 to 30.</summary>
    [Range(1, 30)]
    public int JwksTimeoutSeconds { get; set; } = 5;

    /// <summary>Largest JWK Set document accepted from a <c>jku</c> URL, in bytes; larger ones are discarded. Default 65,536.</summary>
    [Range(1024, 1024 * 1024)]
    public int JwksMaxBytes { get; set; } = 64 * 1024;

    /// <summary>
    /// Least time between two fetches of one JWK Set URL, in seconds, whatever the cause (a <c>kid</c> miss, stale keys,
    /// a failed fetch): a client sending unknown <c>kid</c>s cannot make the service hammer its key server. Default 30; 1 to 3600.
    /// </summary>
    [Range(1, 3600)]
    public int JwksMinRefreshSeconds { get; set; } = 30;

    /// <summary>
    /// How long fetched keys are used before the next request fetches them again (so rotated-out keys age out), in seconds.
    /// Default 3600; 60 to 86,400. A failed refetch keeps the keys already held.
    /// </summary>
    [Range(60, 86_400)]
    public int JwksCacheSeconds { get; set; } = 3600;
}

/// <summary>One trusted CDS client: an EHR instance identified by the <c>iss</c> of its JWTs.</summary>
public sealed class TrustedClientOptions
{
    /// <summary>The exact <c>iss</c> of the client's JWTs. Required; unique among the clients.</summary>
    public string Issuer { get; set; } = string.Empty;

    /// <summary>
    /// JWK Set URLs (absolute https) the client's keys may be fetched from. A token's <c>jku</c> header must equal one
    /// of them exactly; without a <c>jku</c> header, every one is searched for the <c>kid</c>. Default: none.
    /// At least one of <see cref="JkuUrls"/> and <see cref="Jwks"/> is required.
    /// </summary>
    public List<string> JkuUrls { get; set; } = [];

    /// <summary>An inline JWK Set (JSON text <c>{"keys":[…]}</c>) of the client's public keys. Default: none.</summary>
    public string? Jwks { get; set; }

    /// <summary>
    /// The <c>aud</c> the client's JWTs must carry (Epic lets each health system choose it). Default: none, the
    /// called URL (scheme://host/path of the request, with <c>Hooks:PublicBaseUrl</c> as scheme and host when set).
    /// </summary>
    public string? Audience { get; set; }

    /// <summary>When set, the JWT's <c>tenant</c> claim must equal it. Default: none (the claim is not checked).</summary>
    public string? Tenant { get; set; }

    /// <summary>
    /// JWS algorithms accepted from this client: any of <c>ES384</c>, <c>RS384</c>, <c>ES256</c>, <c>RS256</c>.
    /// Default (empty list): ES384 and RS384, the ones CDS Hooks 2.0 names. <c>none</c>, HMAC and anything else are refused
    /// at start-up. A configured list replaces the default, it does not add to it.
    /// </summary>
    public List<string> AllowedAlgorithms { get; set; } = [];

    /// <summary>
    /// FHIR server base URLs this client may send as <c>fhirServer</c> (absolute https; http only on loopback). A hook
    /// whose <c>fhirServer</c> is not one of them, or under one of them, gets 401. Default: none (only hooks without
    /// <c>fhirServer</c>, answered from prefetch, are accepted).
    /// </summary>
    public List<string> FhirServers { get; set; } = [];
}
