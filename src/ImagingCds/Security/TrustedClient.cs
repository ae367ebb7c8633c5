using Microsoft.IdentityModel.Tokens;

namespace ImagingCds.Security;

/// <summary>A trusted CDS client as configured, checked and converted once at start-up.</summary>
/// <param name="Issuer">The exact <c>iss</c>.</param>
/// <param name="JkuUrls">Allow-listed JWK Set URLs, compared to a <c>jku</c> header by exact (ordinal) equality.</param>
/// <param name="InlineKeys">Signing keys of the inline JWK Set (EC and RSA keys with a <c>kid</c> only).</param>
/// <param name="Audience">The configured <c>aud</c>; null means the called URL.</param>
/// <param name="Tenant">The required <c>tenant</c> claim; null means not checked.</param>
/// <param name="Algorithms">Accepted JWS <c>alg</c> values, a subset of <see cref="TrustedClients.SupportedAlgorithms"/>.</param>
/// <param name="FhirServers">Allowed <c>fhirServer</c> base URLs, normalized.</param>
internal sealed record TrustedClient(
    string Issuer,
    IReadOnlyList<string> JkuUrls,
    IReadOnlyList<JsonWebKey> InlineKeys,
    string? Audience,
    string? Tenant,
    IReadOnlySet<string> Algorithms,
    IReadOnlyList<Uri> FhirServers)
{
    /// <summary>
    /// Whether <paramref name="fhirServer"/> is one of this client's FHIR servers or lies under one: same scheme, host
    /// and port, and a path equal to the allowed base path or continuing it after a <c>/</c>
    /// (<c>https://ehr/fhir</c> admits <c>https://ehr/fhir/r4</c>, never <c>https://ehr/fhir-other</c> or <c>https://ehr.evil</c>).
    /// </summary>
    public bool AllowsFhirServer(Uri fhirServer)
    {
        ArgumentNullException.ThrowIfNull(fhirServer);
        if (!fhirServer.IsAbsoluteUri || fhirServer.UserInfo.Length > 0)
        {
            return false;
        }

        var path = BasePath(fhirServer);
        return FhirServers.Any(allowed =>
            string.Equals(allowed.Scheme, fhirServer.Scheme, StringComparison.OrdinalIgnoreCase) &&
            string.Equals(allowed.IdnHost, fhirServer.IdnHost, StringComparison.OrdinalIgnoreCase) &&
            allowed.Port == fhirServer.Port &&
            (path == BasePath(allowed) || path.StartsWith(BasePath(allowed) + "/", StringComparison.Ordinal)));
    }

    /// <summary>The URL's path with dot segments resolved (by <see cref="Uri"/>) and no trailing slash.</summary>
    private static string BasePath(Uri uri) => uri.AbsolutePath.TrimEnd('/');
}

/// <summary>Converts <see cref="SecurityOptions"/> into <see cref="TrustedClient"/>s, naming every configuration error.</summary>
internal static class TrustedClients
{
    /// <summary>The only JWS algorithms a client may be allowed: asymmetric, as CDS Hooks 2.0 asks (never <c>none</c> or HMAC).</summary>
    public static readonly IReadOnlySet<string> SupportedAlgorithms = new HashSet<string>(StringComparer.Ordinal)
    {
        SecurityAlgorithms.EcdsaSha384, SecurityAlgorithms.RsaSha384, SecurityAlgorithms.EcdsaSha256, SecurityAlgorithms.RsaSha256,
    };

    /// <summary>The algorithms a client gets when it configures none: the two CDS Hooks 2.0 names.</summary>
    public static readonly IReadOnlyList<string> DefaultAlgorithms = [SecurityAlgorithms.EcdsaSha384, SecurityAlgorithms.RsaSha384];

    /// <summary>Every client, converted; <paramref name="errors"/> lists what is wrong, as <c>Security:Clients:N:Setting: problem</c>.</summary>
    public static IReadOnlyList<TrustedClient> From(SecurityOptions options, out IReadOnlyList<string> errors)
    {
        ArgumentNullException.ThrowIfNull(options);
        var problems = new List<string>();
        var clients = new List<TrustedClient>();
        for (var i = 0; i < options.Clients.Count; i++)
        {
            var at = $"{SecurityOptions.Section}:Clients:{i}";
            if (From(options.Clients[i], at, problems) is { } client)
            {
                if (clients.Any(c => c.Issuer == client.Issuer))
                {
                    problems.Add($"{at}:Issuer: another client has the same issuer");
                }

                clients.Add(client);
            }
        }

        errors = problems;
        return clients;
    }

    private static TrustedClient? From(TrustedClientOptions options, string at, List<string> problems)
    {
        var before = problems.Count;
        if (string.IsNullOrWhiteSpace(options.Issuer))
        {
            problems.Add($"{at}:Issuer: required");
        }

        foreach (var url in options.JkuUrls)
        {
            if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme != Uri.UriSchemeHttps)
            {
                problems.Add($"{at}:JkuUrls: '{url}' is not an absolute https URL");
            }
        }

        IReadOnlyList<JsonWebKey> inline = [];
        if (!string.IsNullOrWhiteSpace(options.Jwks))
        {
            inline = JwksDocument.SigningKeys(options.Jwks, out var jwksError);
            if (jwksError is not null)
            {
                problems.Add($"{at}:Jwks: {jwksError}");
            }
            else if (inline.Count == 0)
            {
                problems.Add($"{at}:Jwks: holds no EC or RSA signing key with a kid");
            }
        }

        if (options.JkuUrls.Count == 0 && string.IsNullOrWhiteSpace(options.Jwks))
        {
            problems.Add($"{at}: needs JkuUrls or Jwks (where the client's keys are)");
        }

        foreach (var alg in options.AllowedAlgorithms.Where(a => !SupportedAlgorithms.Contains(a)))
        {
            problems.Add($"{at}:AllowedAlgorithms: '{alg}' is not allowed (only ES384, RS384, ES256, RS256)");
        }

        if (options.Audience is { } audience && string.IsNullOrWhiteSpace(audience))
        {
            problems.Add($"{at}:Audience: empty (leave it out to use the called URL)");
        }

        var fhirServers = new List<Uri>();
        foreach (var url in options.FhirServers)
        {
            if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) ||
                !(uri.Scheme == Uri.UriSchemeHttps || (uri.Scheme == Uri.UriSchemeHttp && uri.IsLoopback)) ||
                uri.UserInfo.Length > 0 || uri.Query.Length > 0 || uri.Fragment.Length > 0)
            {
                problems.Add($"{at}:FhirServers: '{url}' is not an absolute https base URL (http only on loopback; no query or credentials)");
                continue;
            }

            fhirServers.Add(uri);
        }

        if (problems.Count > before)
        {
            return null;
        }

        var algorithms = options.AllowedAlgorithms.Count == 0 ? DefaultAlgorithms : options.AllowedAlgorithms;
        return new TrustedClient(
            options.Issuer,
            [.. options.JkuUrls],
            inline,
            options.Audience,
            string.IsNullOrEmpty(options.Tenant) ? null : options.Tenant,
            algorithms.ToHashSet(StringComparer.Ordinal),
            fhirServers);
    }
}
