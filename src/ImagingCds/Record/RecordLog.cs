namespace ImagingCds.Record;

/// <summary>Record-stage logs: resource types, origins, statuses and timings only; never a URL path or query, an id or a token.</summary>
internal static partial class RecordLog
{
    [LoggerMessage(EventId = 1201, Level = LogLevel.Debug, Message = "FHIR {Method} {ResourceType} on {Origin}: {Status} in {ElapsedMs} ms")]
    public static partial void FhirRequest(ILogger logger, string method, string resourceType, string origin, int status, long elapsedMs);

    [LoggerMessage(EventId = 1202, Level = LogLevel.Debug, Message = "FHIR {Method} {ResourceType} on {Origin} failed ({ExceptionType}) after {ElapsedMs} ms")]
    public static partial void FhirRequestFailed(ILogger logger, string method, string resourceType, string origin, string exceptionType, long elapsedMs);
}
