namespace ImagingCds.Feedback;

/// <summary>Structured feedback logs: counts, codes and paths only; never the user's comment, never patient data.</summary>
internal static partial class FeedbackLog
{
    [LoggerMessage(EventId = 1100, Level = LogLevel.Information,
        Message = "Feedback: {Entries} entries ({Accepted} accepted, {Overridden} overridden), {Stored} stored, {Resent} resent, {Unmatched} on cards not known here")]
    public static partial void Received(ILogger logger, int entries, int accepted, int overridden, int stored, int resent, int unmatched);

    [LoggerMessage(EventId = 1101, Level = LogLevel.Information, Message = "Feedback refused: {Status} {Code} at '{Path}'")]
    public static partial void Refused(ILogger logger, int status, string code, string path);

    [LoggerMessage(EventId = 1102, Level = LogLevel.Error, Message = "Feedback store unavailable during {Operation} (SQLite error {SqliteErrorCode})")]
    public static partial void StoreFailed(ILogger logger, string operation, int sqliteErrorCode);

    [LoggerMessage(EventId = 1103, Level = LogLevel.Warning, Message = "Feedback database: the content root is not writable, using {DatabasePath}; set Feedback:DatabasePath to a volume to keep feedback")]
    public static partial void DatabaseFellBack(ILogger logger, string databasePath);

    [LoggerMessage(EventId = 1104, Level = LogLevel.Information, Message = "Feedback database ready at {DatabasePath}")]
    public static partial void DatabaseReady(ILogger logger, string databasePath);

    [LoggerMessage(EventId = 1105, Level = LogLevel.Warning, Message = "Issued-card write queue full: {Cards} cards kept in memory only")]
    public static partial void IssuedCardsNotQueued(ILogger logger, int cards);

    [LoggerMessage(EventId = 1106, Level = LogLevel.Error, Message = "Issued cards not saved: {Cards} cards kept in memory only (SQLite error {SqliteErrorCode})")]
    public static partial void IssuedCardsNotSaved(ILogger logger, int cards, int sqliteErrorCode);
}
