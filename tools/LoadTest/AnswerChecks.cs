using System.Globalization;

namespace ImagingCds.LoadTest;

/// <summary>Why an answer does not count as a success, or null when it does.</summary>
public delegate string? AnswerCheck(Answer answer);

/// <summary>The checks the closed loop applies to each answer.</summary>
public static class AnswerChecks
{
    /// <summary>A 200, whatever its body.</summary>
    public static string? Status200(Answer answer) => answer.Status switch
    {
        null => "no answer",
        200 => null,
        var status => string.Create(CultureInfo.InvariantCulture, $"status {status}"),
    };

    /// <summary>
    /// A 200 whose cards carry real verdicts: an <c>error</c> verdict is a 200 too, but the service did not check the
    /// order (its evaluation failed or the record budget ran out), so it is counted as an error, not as a fast answer.
    /// </summary>
    public static string? RealVerdicts(Answer answer) =>
        Status200(answer) ?? (HookVerdicts.Of(answer.Body) is { AreReal: false } verdicts ? $"200 without real verdicts ({verdicts.Summary})" : null);

    /// <summary>A 200 of exactly <paramref name="bytes"/> bytes (the floor's canned answer).</summary>
    public static AnswerCheck Size(int bytes) => answer =>
        Status200(answer) ?? (answer.Body.Length == bytes ? null : string.Create(CultureInfo.InvariantCulture, $"200 of {answer.Body.Length} bytes, not {bytes}"));
}
