using System.Text.Json;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace ImagingCds.Security;

/// <summary>
/// Checks a CDS client JWT (CDS Hooks 2.0 "Trusting CDS Clients", DESIGN.md "HTTP surface") and names the client it
/// authenticates, or the first rule it breaks.
/// </summary>
/// <remarks>
/// Order: header and shape; <c>alg</c> (only asymmetric algorithms the client allows); <c>iss</c> (a configured client);
/// <c>kid</c>; <c>jku</c> (exactly an allow-listed URL, never fetched otherwise); key lookup (one refresh on a miss);
/// signature; <c>exp</c>, <c>iat</c>, <c>nbf</c> against <see cref="TimeProvider"/> with the configured skew; <c>aud</c>;
/// <c>tenant</c>; and last, once the token is known genuine, <c>jti</c> replay. "Now" is read once per token.
/// </remarks>
internal sealed class ClientTokenValidator(
    JwksCache jwks,
    IJtiReplayCache replays,
    IOptions<SecurityOptions> options,
    TimeProvider time)
{
    /// <summary>Longest <c>Authorization</c> token accepted, in characters; CDS client JWTs are well under 2 KiB.</summary>
    public const int MaxTokenLength = 16 * 1024;

    /// <summary>Longest <c>jti</c> remembered, in characters.</summary>
    public const int MaxJtiLength = 256;

    private static readonly JsonWebTokenHandler Handler = new() { MaximumTokenSizeInBytes = MaxTokenLength };

    private readonly SecurityOptions _options = options.Value;

    // Validated at start-up; were a client invalid all the same, it would be left out (fail closed).
    private readonly IReadOnlyList<TrustedClient> _clients = TrustedClients.From(options.Value, out _);

    /// <summary>How many clients are trusted.</summary>
    public int ClientCount => _clients.Count;

    /// <param name="authorization">The <c>Authorization</c> header, if any.</param>
    /// <param name="calledUrl">The URL the client called (scheme://host/path), the <c>aud</c> when the client configures none.</param>
    public async Task<ClientTokenOutcome> ValidateAsync(string? authorization, string calledUrl, CancellationToken cancellationToken)
    {
        const string Bearer = "Bearer ";
        if (authorization is null || !authorization.StartsWith(Bearer, StringComparison.OrdinalIgnoreCase) || authorization.Length == Bearer.Length)
        {
            return Fail(RejectReason.MissingToken);
        }

        var raw = authorization[Bearer.Length..].Trim();
        if (raw.Length > MaxTokenLength || raw.Split('.').Length != 3 || !TryRead(raw, out var token, out var header, out var payload))
        {
            return Fail(RejectReason.MalformedToken);
        }

        var alg = String(header, JwtHeaderParameterNames.Alg);
        if (alg is null || !TrustedClients.SupportedAlgorithms.Contains(alg))
        {
            return Fail(RejectReason.AlgorithmNotAllowed);
        }

        var issuer = String(payload, JwtRegisteredClaimNames.Iss);
        if (string.IsNullOrEmpty(issuer) || _clients.FirstOrDefault(c => c.Issuer == issuer) is not { } client)
        {
            return Fail(RejectReason.UnknownIssuer);
        }

        if (!client.Algorithms.Contains(alg))
        {
            return Fail(RejectReason.AlgorithmNotAllowed, client);
        }

        if (String(header, JwtHeaderParameterNames.Kid) is not { Length: > 0 } kid)
        {
            return Fail(RejectReason.MissingKid, client);
        }

        string? jku = null;
        if (header.TryGetProperty(JwtHeaderParameterNames.Jku, out var jkuValue))
        {
            jku = jkuValue.ValueKind == JsonValueKind.String ? jkuValue.GetString() : null;
            if (jku is null || !client.JkuUrls.Contains(jku, StringComparer.Ordinal))
            {
                return Fail(RejectReason.JkuNotAllowed, client);
            }
        }

        var (key, keyFailure) = await FindKeyAsync(client, jku, kid, alg, cancellationToken);
        if (key is null)
        {
            return Fail(keyFailure, client);
        }

        var parameters = new TokenValidationParameters
        {
            ValidAlgorithms = [alg],
            ValidateIssuer = true,
            ValidIssuer = client.Issuer,
            IssuerSigningKeyResolver = (_, _, _, _) => [key],
            TryAllIssuerSigningKeys = false,
            RequireSignedTokens = true,
            ValidateIssuerSigningKey = false,
            // Lifetime and audience are checked below, against TimeProvider and the called URL, with reasons of their own.
            ValidateLifetime = false,
            RequireExpirationTime = false,
            ValidateAudience = false,
            ValidateTokenReplay = false,
        };
        var result = await Handler.ValidateTokenAsync(token, parameters);
        if (!result.IsValid)
        {
            return Fail(RejectReason.BadSignature, client);
        }

        var now = time.GetUtcNow();
        if (Lifetime(payload, now, out var acceptedUntil) is { } lifetimeFailure)
        {
            return Fail(lifetimeFailure, client);
        }

        var audience = client.Audience ?? calledUrl;
        if (!Audiences(payload).Any(aud => AudienceMatches(aud, audience)))
        {
            return Fail(RejectReason.WrongAudience, client);
        }

        if (client.Tenant is { } tenant && !string.Equals(String(payload, "tenant"), tenant, StringComparison.Ordinal))
        {
            return Fail(RejectReason.WrongTenant, client);
        }

        if (String(payload, JwtRegisteredClaimNames.Jti) is not { Length: > 0 and <= MaxJtiLength } jti)
        {
            return Fail(RejectReason.MissingJti, client);
        }

        if (!await replays.TryRecordAsync(client.Issuer, jti, acceptedUntil, now, cancellationToken))
        {
            return Fail(RejectReason.ReplayedJti, client);
        }

        return new ClientTokenOutcome(client, null);
    }

    /// <summary>
    /// The key for <paramref name="kid"/> that fits <paramref name="alg"/>: from the <c>jku</c> URL when the token names
    /// one, else from the inline set and every allow-listed URL. A miss refreshes each URL at most once (rate-limited).
    /// </summary>
    private async Task<(JsonWebKey? Key, RejectReason Failure)> FindKeyAsync(
        TrustedClient client, string? jku, string kid, string alg, CancellationToken cancellationToken)
    {
        if (jku is null && Match(client.InlineKeys, kid, alg) is { } inline)
        {
            return (inline, default);
        }

        var urls = jku is null ? client.JkuUrls : [jku];
        var anyFailed = false;
        foreach (var url in urls)
        {
            var lookup = await jwks.GetAsync(url, cancellationToken);
            var key = Match(lookup.Keys, kid, alg);
            if (key is null && !lookup.Fetched)
            {
                // Keys rotate: one refresh on a miss (JwksCache rate-limits it per URL).
                lookup = await jwks.RefreshAsync(url, cancellationToken);
                key = Match(lookup.Keys, kid, alg);
            }

            if (key is not null)
            {
                return (key, default);
            }

            anyFailed |= lookup.Failed;
        }

        return (null, anyFailed ? RejectReason.JwksUnavailable : RejectReason.UnknownKid);
    }

    private static JsonWebKey? Match(IReadOnlyList<JsonWebKey> keys, string kid, string alg) =>
        keys.FirstOrDefault(k => k.Kid == kid && JwksDocument.Fits(k, alg));

    /// <summary>
    /// <c>exp</c> and <c>iat</c> required, <c>nbf</c> honoured, each with the configured skew; <c>iat</c> no older than
    /// the maximum age. <paramref name="acceptedUntil"/> is until when this token could be accepted (the earlier of
    /// <c>exp</c> + skew and <c>iat</c> + maximum age): how long its <c>jti</c> must be remembered.
    /// </summary>
    private RejectReason? Lifetime(JsonElement payload, DateTimeOffset now, out DateTimeOffset acceptedUntil)
    {
        acceptedUntil = default;
        var skew = TimeSpan.FromSeconds(_options.ClockSkewSeconds);
        var maxAge = TimeSpan.FromSeconds(_options.MaxTokenAgeSeconds);
        if (NumericDate(payload, JwtRegisteredClaimNames.Exp, out _) is not { } exp)
        {
            return RejectReason.MissingExp;
        }

        if (now > exp + skew)
        {
            return RejectReason.Expired;
        }

        if (NumericDate(payload, JwtRegisteredClaimNames.Iat, out _) is not { } iat)
        {
            return RejectReason.MissingIat;
        }

        if (iat > now + skew)
        {
            return RejectReason.IatInFuture;
        }

        if (now - iat > maxAge)
        {
            return RejectReason.TokenTooOld;
        }

        var nbf = NumericDate(payload, JwtRegisteredClaimNames.Nbf, out var nbfPresent);
        if (nbfPresent && (nbf is null || nbf > now + skew))
        {
            return RejectReason.NotYetValid;
        }

        acceptedUntil = exp + skew < iat + maxAge ? exp + skew : iat + maxAge;
        return null;
    }

    /// <summary>
    /// A NumericDate claim (RFC 7519 §2: seconds since the epoch, possibly fractional), or null when absent or not a
    /// number in range; <paramref name="present"/> tells the two apart.
    /// </summary>
    private static DateTimeOffset? NumericDate(JsonElement payload, string claim, out bool present)
    {
        present = payload.TryGetProperty(claim, out var value);
        if (!present || value.ValueKind != JsonValueKind.Number || !value.TryGetDouble(out var seconds) ||
            double.IsNaN(seconds) || seconds < 0 || seconds > 253_402_300_799)
        {
            return null;
        }

        return DateTimeOffset.UnixEpoch.AddSeconds(Math.Floor(seconds));
    }

    /// <summary>The <c>aud</c> values: one string or an array of strings (RFC 7519 §4.1.3); anything else, none.</summary>
    private static List<string> Audiences(JsonElement payload)
    {
        if (!payload.TryGetProperty(JwtRegisteredClaimNames.Aud, out var aud))
        {
            return [];
        }

        return aud.ValueKind switch
        {
            JsonValueKind.String => [aud.GetString()!],
            JsonValueKind.Array => [.. aud.EnumerateArray().Where(a => a.ValueKind == JsonValueKind.String).Select(a => a.GetString()!)],
            _ => [],
        };
    }

    private static string? String(JsonElement json, string name) =>
        json.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    /// <summary>
    /// <c>aud</c> equals the expected value: as URLs, scheme and host compare case-insensitively and one trailing
    /// <c>/</c> is ignored; otherwise the strings must be equal.
    /// </summary>
    internal static bool AudienceMatches(string aud, string expected)
    {
        if (Uri.TryCreate(aud, UriKind.Absolute, out var a) && Uri.TryCreate(expected, UriKind.Absolute, out var e))
        {
            return string.Equals(a.Scheme, e.Scheme, StringComparison.OrdinalIgnoreCase) &&
                string.Equals(a.IdnHost, e.IdnHost, StringComparison.OrdinalIgnoreCase) &&
                a.Port == e.Port &&
                a.UserInfo.Length == 0 &&
                string.Equals(a.AbsolutePath.TrimEnd('/'), e.AbsolutePath.TrimEnd('/'), StringComparison.Ordinal) &&
                string.Equals(a.Query, e.Query, StringComparison.Ordinal);
        }

        return string.Equals(aud, expected, StringComparison.Ordinal);
    }

    /// <summary>
    /// Reads a compact JWS; its header and payload must be JSON objects without duplicate names (so this class and the
    /// token library cannot read different values of one claim). Read here, not trusted yet.
    /// </summary>
    private static bool TryRead(string raw, out JsonWebToken token, out JsonElement header, out JsonElement payload)
    {
        token = null!;
        header = payload = default;
        try
        {
            token = Handler.ReadJsonWebToken(raw);
            if (token.IsEncrypted)
            {
                return false;
            }

            header = JsonObject(token.EncodedHeader);
            payload = JsonObject(token.EncodedPayload);
            return header.ValueKind == JsonValueKind.Object && payload.ValueKind == JsonValueKind.Object;
        }
        catch (Exception ex) when (ex is ArgumentException or SecurityTokenException or JsonException or FormatException or InvalidOperationException)
        {
            return false;
        }
    }

    private static JsonElement JsonObject(string base64Url)
    {
        using var document = JsonDocument.Parse(Base64UrlEncoder.DecodeBytes(base64Url), new JsonDocumentOptions { MaxDepth = 16, AllowDuplicateProperties = false });
        return document.RootElement.Clone();
    }

    private static ClientTokenOutcome Fail(RejectReason reason, TrustedClient? claimed = null) => new(null, reason, claimed?.Issuer);
}

/// <summary>The client a token authenticates, or why it does not: exactly one of <paramref name="Client"/> and <paramref name="Failure"/> is set.</summary>
/// <param name="ClaimedIssuer">On failure, the configured issuer the token claimed to come from, if it named one (for the log).</param>
internal sealed record ClientTokenOutcome(TrustedClient? Client, RejectReason? Failure, string? ClaimedIssuer = null);
