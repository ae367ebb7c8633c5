namespace ImagingCds.Security;

/// <summary>
/// Who is calling, as client authentication established it; a request feature
/// (<c>HttpContext.Features.Get&lt;CdsCaller&gt;()</c>) set on every request under <c>/cds-services</c> that passed.
/// </summary>
public sealed class CdsCaller
{
    private CdsCaller(TrustedClient? client) => Client = client;

    /// <summary>The caller in Development, where no JWT is checked: any <c>fhirServer</c> is allowed.</summary>
    internal static CdsCaller Unauthenticated { get; } = new(null);

    /// <summary>The authenticated client; null only in Development.</summary>
    internal TrustedClient? Client { get; }

    internal static CdsCaller For(TrustedClient client) => new(client);

    /// <summary>Whether this caller may have the service call <paramref name="fhirServer"/>.</summary>
    public bool MayUseFhirServer(Uri fhirServer) => Client is null || Client.AllowsFhirServer(fhirServer);
}
