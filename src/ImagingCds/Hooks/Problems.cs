namespace ImagingCds.Hooks;

/// <summary>Error answers as RFC 9457 problem details with a stable <c>code</c> and the <c>path</c> at fault.</summary>
internal static class Problems
{
    /// <param name="title">The problem's title; by default one for the hook endpoint's statuses.</param>
    public static Microsoft.AspNetCore.Http.HttpResults.ProblemHttpResult From(HookRequestError error, string? title = null)
    {
        var extensions = new Dictionary<string, object?> { ["code"] = error.Code };
        if (error.Path.Length > 0)
        {
            extensions["path"] = error.Path;
        }

        return TypedResults.Problem(
            detail: error.Message,
            statusCode: error.Status,
            title: title ?? error.Status switch
            {
                400 => "The CDS Hooks request is invalid",
                404 => "No such CDS service",
                412 => "Patient data is needed",
                413 => "The request is too large",
                _ => "The request was refused",
            },
            extensions: extensions);
    }
}
