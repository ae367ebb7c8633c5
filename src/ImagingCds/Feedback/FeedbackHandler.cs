using ImagingCds.Hooks;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Options;

namespace ImagingCds.Feedback;

/// <summary>
/// The CDS Hooks feedback endpoint and the summary report: validate, join each entry to the card it answers, store.
/// </summary>
/// <remarks>
/// Answers 200 with an empty body once every entry is stored; 400/404/413 problems for bad requests; 503 when the
/// database cannot be written (the EHR may resend: an identical entry is stored once). Never a 500 for any body.
/// </remarks>
public sealed class FeedbackHandler(
    FeedbackStore store, IssuedCards issued, IOptions<FeedbackOptions> options, TimeProvider time, ILogger<FeedbackHandler> logger)
{
    public async Task<Results<Ok, ProblemHttpResult>> ReceiveAsync(string serviceId, HttpRequest http, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(http);
        if (serviceId != ServiceCatalog.ServiceId)
        {
            return Refuse(new HookRequestError(404, "unknown-service", $"no CDS service has id '{serviceId}'", "serviceId"));
        }

        var limit = options.Value.MaxRequestBytes;
        var body = await BoundedBody.ReadAsync(http, limit, cancellationToken);
        if (body is null)
        {
            return Refuse(new HookRequestError(413, "body-too-large", $"the feedback body is larger than {limit} bytes", string.Empty));
        }

        var items = FeedbackParser.Parse(body, out var error);
        if (items is null)
        {
            return Refuse(error!);
        }

        var received = time.GetUtcNow();
        try
        {
            var entries = new List<StoredFeedback>(items.Count);
            foreach (var item in items)
            {
                var card = await issued.FindAsync(item.Card, received, cancellationToken);
                entries.Add(new StoredFeedback(item, card?.Entries ?? [], received));
            }

            var stored = await store.AddAsync(entries, cancellationToken);
            FeedbackLog.Received(logger, items.Count, items.Count(i => i.Outcome == FeedbackOutcome.Accepted),
                items.Count(i => i.Outcome == FeedbackOutcome.Overridden), stored, items.Count - stored, entries.Count(e => e.Entries.Count == 0));
            return TypedResults.Ok();
        }
        catch (SqliteException ex)
        {
            FeedbackLog.StoreFailed(logger, "store", ex.SqliteErrorCode);
            return Unavailable();
        }
    }

    public async Task<Results<Ok<FeedbackSummary>, ProblemHttpResult>> SummaryAsync(CancellationToken cancellationToken)
    {
        try
        {
            return TypedResults.Ok(await FeedbackSummary.SummarizeAsync(store.ReadAllAsync(cancellationToken), cancellationToken));
        }
        catch (SqliteException ex)
        {
            FeedbackLog.StoreFailed(logger, "summary", ex.SqliteErrorCode);
            return Unavailable();
        }
    }

    private ProblemHttpResult Refuse(HookRequestError error)
    {
        FeedbackLog.Refused(logger, error.Status, error.Code, error.Path);
        return Problem(error);
    }

    private static ProblemHttpResult Unavailable() =>
        Problem(new HookRequestError(503, "feedback-store-unavailable", "feedback cannot be stored right now; send it again later", string.Empty));

    /// <summary>The problem shape of the hook endpoint (<see cref="Problems"/>), with titles for feedback.</summary>
    private static ProblemHttpResult Problem(HookRequestError error) =>
        Problems.From(error, error.Status switch
        {
            400 => "The feedback is invalid",
            404 => "No such CDS service",
            413 => "The feedback is too large",
            _ => "Feedback is unavailable",
        });
}
