using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Options;

namespace ImagingCds.Feedback;

/// <summary>
/// Creates the feedback schema at start-up (a database that cannot be opened stops the service with its message),
/// then writes issued cards to the database in batches, off the hook's path, and purges expired ones hourly.
/// </summary>
/// <remarks>On shutdown the queue is drained before the host stops (within the host's shutdown timeout).</remarks>
public sealed class IssuedCardWriter(
    FeedbackStore store, IssuedCards cards, TimeProvider time, IOptions<FeedbackOptions> options, ILogger<IssuedCardWriter> logger)
    : BackgroundService
{
    private const int BatchSize = 256;
    private static readonly TimeSpan PurgeInterval = TimeSpan.FromHours(1);

    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        await store.InitializeAsync(cancellationToken);
        FeedbackLog.DatabaseReady(logger, store.DatabasePath);
        await base.StartAsync(cancellationToken);
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        cards.CompleteWrites();
        await base.StopAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var lifetime = options.Value.IssuedCardLifetime;
        var lastPurge = DateTimeOffset.MinValue;
        var batch = new List<IssuedCard>(BatchSize);

        // The queue, not the stopping token, ends this loop: StopAsync completes it, and what is queued is still written.
        while (await cards.Pending.WaitToReadAsync(CancellationToken.None))
        {
            while (batch.Count < BatchSize && cards.Pending.TryRead(out var card))
            {
                batch.Add(card);
            }

            try
            {
                await store.SaveIssuedAsync(batch, lifetime, CancellationToken.None);
                var now = time.GetUtcNow();
                if (now - lastPurge >= PurgeInterval)
                {
                    lastPurge = now;
                    await store.PurgeIssuedAsync(now, CancellationToken.None);
                }
            }
            catch (SqliteException ex)
            {
                // The cards stay in memory; only feedback after a restart loses their join.
                FeedbackLog.IssuedCardsNotSaved(logger, batch.Count, ex.SqliteErrorCode);
            }

            batch.Clear();
        }
    }
}
