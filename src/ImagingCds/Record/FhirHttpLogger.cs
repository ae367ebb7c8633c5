using Microsoft.Extensions.Http.Logging;

namespace ImagingCds.Record;

/// <summary>
/// Logs the FHIR client's requests without their URLs: a read URL holds the patient's id (<c>Patient/{id}</c>) and a
/// paging link may hold anything the EHR put in it. It replaces the framework's HttpClient logging for the
/// <c>fhir</c> client, which writes every request URI at Information (only the query string is redacted).
/// </summary>
/// <remarks>What is logged: the method, the resource type read, the server's origin, the status and the time.</remarks>
internal sealed class FhirHttpLogger(ILogger<FhirHttpLogger> logger) : IHttpClientLogger
{
    public object? LogRequestStart(HttpRequestMessage request) => null;

    public void LogRequestStop(object? context, HttpRequestMessage request, HttpResponseMessage response, TimeSpan elapsed)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(response);
        RecordLog.FhirRequest(logger, request.Method.Method, ResourceTypeOf(request.RequestUri), OriginOf(request.RequestUri), (int)response.StatusCode, (long)elapsed.TotalMilliseconds);
    }

    public void LogRequestFailed(object? context, HttpRequestMessage request, HttpResponseMessage? response, Exception exception, TimeSpan elapsed)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(exception);

        // The exception's type only: its message may quote the URL.
        RecordLog.FhirRequestFailed(logger, request.Method.Method, ResourceTypeOf(request.RequestUri), OriginOf(request.RequestUri), exception.GetType().Name, (long)elapsed.TotalMilliseconds);
    }

    /// <summary>The first path segment that names a record part (<c>/fhir/Patient/123</c> → <c>Patient</c>), else <c>other</c>.</summary>
    internal static string ResourceTypeOf(Uri? url) =>
        url is { IsAbsoluteUri: true }
            ? url.Segments.Select(s => s.TrimEnd('/')).FirstOrDefault(s => RecordParts.All.Contains(s)) ?? "other"
            : "other";

    /// <summary>Scheme, host and port: never user info, path or query.</summary>
    internal static string OriginOf(Uri? url) =>
        url is { IsAbsoluteUri: true } ? url.GetComponents(UriComponents.SchemeAndServer, UriFormat.UriEscaped) : "-";
}
