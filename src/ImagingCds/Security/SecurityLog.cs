namespace ImagingCds.Security;

/// <summary>
/// Client authentication logs: reason codes, configured issuers and JWK Set URLs only; never a token, a claim value
/// sent by a client, or anything of a hook body.
/// </summary>
internal static partial class SecurityLog
{
    [LoggerMessage(EventId = 1100, Level = LogLevel.Warning, Message = "Development environment: CDS client JWTs are not checked")]
    public static partial void NoAuthInDevelopment(ILogger logger);

    [LoggerMessage(EventId = 1101, Level = LogLevel.Warning,
        Message = "No trusted CDS clients are configured (Security:Clients): every request under /cds-services is refused with 401")]
    public static partial void NoClients(ILogger logger);

    [LoggerMessage(EventId = 1102, Level = LogLevel.Information, Message = "CDS client authentication on, {Count} trusted clients")]
    public static partial void ClientsConfigured(ILogger logger, int count);

    [LoggerMessage(EventId = 1103, Level = LogLevel.Warning, Message = "CDS client refused ({Reason}) on {Method} {Path}; client {Client}")]
    public static partial void Refused(ILogger logger, string reason, string method, string path, string client);

    [LoggerMessage(EventId = 1104, Level = LogLevel.Debug, Message = "CDS client {Client} authenticated on {Method} {Path}")]
    public static partial void Authenticated(ILogger logger, string client, string method, string path);

    [LoggerMessage(EventId = 1105, Level = LogLevel.Information, Message = "JWK Set {Url} fetched: {Keys} signing keys")]
    public static partial void JwksFetched(ILogger logger, string url, int keys);

    [LoggerMessage(EventId = 1106, Level = LogLevel.Warning, Message = "JWK Set {Url} could not be fetched ({Problem}); keys held before are kept")]
    public static partial void JwksFetchFailed(ILogger logger, string url, string problem);
}
