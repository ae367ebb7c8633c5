using Microsoft.Extensions.Logging;

namespace ImagingCds.Hooks;

/// <summary>Structured hook logs: hookInstance, counts, timings and verdicts only; never patient data or tokens.</summary>
internal static partial class HookLog
{
    [LoggerMessage(EventId = 1001, Level = LogLevel.Information, Message = "Hook request refused: {Status} {Code} at '{Path}'")]
    public static partial void Refused(ILogger logger, int status, string code, string path);

    [LoggerMessage(EventId = 1002, Level = LogLevel.Information,
        Message = "Hook {HookInstance}: {Orders} orders in scope, {Resources} resources, {Gaps} gaps, {Foreign} foreign dropped, {Issues} data issues, {Findings} findings in {ElapsedMs} ms")]
    public static partial void Answered(ILogger logger, string hookInstance, int orders, int resources, int gaps, int foreign, int issues, int findings, long elapsedMs);

    [LoggerMessage(EventId = 1003, Level = LogLevel.Warning, Message = "Hook {HookInstance}: record part {ResourceType} missing ({Reason})")]
    public static partial void RecordGap(ILogger logger, string hookInstance, string resourceType, string reason);

    [LoggerMessage(EventId = 1005, Level = LogLevel.Information, Message = "Hook {HookInstance}: {Policy} CPT {Cpt} → {Verdict}")]
    public static partial void Verdict(ILogger logger, string hookInstance, string policy, string cpt, string verdict);

    [LoggerMessage(EventId = 1004, Level = LogLevel.Error, Message = "Hook {HookInstance}: evaluation failed unexpectedly ({ExceptionType})")]
    public static partial void Failed(ILogger logger, string hookInstance, string exceptionType);
}
