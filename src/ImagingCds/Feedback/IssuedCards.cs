using System.Text.Json.Nodes;
using System.Threading.Channels;
using ImagingCds.Guidelines;
using Microsoft.Extensions.Options;

namespace ImagingCds.Feedback;

/// <summary>
/// Remembers, for each card the hook issued, what it reported (CPT, policy, verdict, decisive rules), so feedback on
/// the card can be joined to them: in memory for <see cref="FeedbackOptions.IssuedCardLifetime"/> (at most
/// <see cref="FeedbackOptions.MaxIssuedCardsInMemory"/>, oldest dropped first), and in the database through
/// <see cref="IssuedCardWriter"/>, so feedback after a restart still joins.
/// </summary>
/// <remarks>
/// Thread safe. <see cref="Record"/> does no I/O: the hook never waits on the disk, and a full write queue only
/// costs persistence (the card stays in memory), never the hook's answer.
/// </remarks>
public sealed class IssuedCards
{
    /// <summary>Cards waiting to be written; beyond this the hook does not wait, the card stays in memory only.</summary>
    private const int WriteQueueCapacity = 10_000;

    private readonly FeedbackStore _store;
    private readonly TimeProvider _time;
    private readonly ILogger<IssuedCards> _logger;
    private readonly FeedbackOptions _options;
    private readonly Lock _gate = new();
    private readonly Dictionary<Guid, (IssuedCard Card, long Sequence)> _cards = [];
    private readonly Queue<(Guid Card, long Sequence, DateTimeOffset IssuedAt)> _age = new();
    private long _sequence;
    private readonly Channel<IssuedCard> _pending = Channel.CreateBounded<IssuedCard>(
        new BoundedChannelOptions(WriteQueueCapacity) { FullMode = BoundedChannelFullMode.Wait, SingleReader = true });

    public IssuedCards(FeedbackStore store, TimeProvider time, IOptions<FeedbackOptions> options, ILogger<IssuedCards> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        _store = store;
        _time = time;
        _logger = logger;
        _options = options.Value;
    }

    /// <summary>How many cards are held in memory now.</summary>
    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _cards.Count;
            }
        }
    }

    /// <summary>Cards waiting for <see cref="IssuedCardWriter"/>.</summary>
    internal ChannelReader<IssuedCard> Pending => _pending.Reader;

    /// <summary>Records every card of a hook response with the findings behind it.</summary>
    public void Record(JsonObject response, IReadOnlyList<Finding> findings)
    {
        var cards = Extract(response, findings, _time.GetUtcNow());
        foreach (var card in cards)
        {
            Remember(card);
        }

        var dropped = cards.Count(card => !_pending.Writer.TryWrite(card));
        if (dropped > 0)
        {
            FeedbackLog.IssuedCardsNotQueued(_logger, dropped);
        }
    }

    /// <summary>The issued card, from memory or else the database; null when unknown or expired at <paramref name="now"/>.</summary>
    /// <exception cref="Microsoft.Data.Sqlite.SqliteException">The database could not be read.</exception>
    public async Task<IssuedCard?> FindAsync(Guid card, DateTimeOffset now, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            if (_cards.TryGetValue(card, out var known) && known.Card.IssuedAt + _options.IssuedCardLifetime > now)
            {
                return known.Card;
            }
        }

        return await _store.FindIssuedAsync(card, now, cancellationToken);
    }

    /// <summary>No more cards will be recorded: the writer drains what is queued and stops.</summary>
    internal void CompleteWrites() => _pending.Writer.TryComplete();

    /// <summary>
    /// The cards of a hook response: each card's <c>uuid</c> with its <c>extension.appropriateness</c> entries,
    /// and for each entry the decisive rule ids of the finding with the same order and policy. Pure.
    /// </summary>
    public static IReadOnlyList<IssuedCard> Extract(JsonObject response, IReadOnlyList<Finding> findings, DateTimeOffset issuedAt)
    {
        ArgumentNullException.ThrowIfNull(response);
        ArgumentNullException.ThrowIfNull(findings);
        var cards = new List<IssuedCard>();
        foreach (var card in (response["cards"] as JsonArray ?? []).OfType<JsonObject>())
        {
            if (!Guid.TryParse(Text(card["uuid"]), out var uuid))
            {
                continue;
            }

            var entries = new List<CardEntry>();
            foreach (var entry in (card["extension"]?["appropriateness"] as JsonArray ?? []).OfType<JsonObject>())
            {
                if (Text(entry["policy"]) is not { } policy || Text(entry["verdict"]) is not { } verdict)
                {
                    continue;
                }

                var order = Text(entry["order"]);
                var finding = findings.FirstOrDefault(f => f.Order == order && f.PolicyId == policy);
                var rules = finding?.Decisive.Select(r => r.Rule.Id).Distinct(StringComparer.Ordinal).ToArray() ?? [];
                entries.Add(new CardEntry(Text(entry["cpt"]) ?? string.Empty, policy, verdict, rules));
            }

            cards.Add(new IssuedCard(uuid, entries, issuedAt));
        }

        return cards;
    }

    private void Remember(IssuedCard card)
    {
        lock (_gate)
        {
            var sequence = ++_sequence;
            _cards[card.Card] = (card, sequence);
            _age.Enqueue((card.Card, sequence, card.IssuedAt));

            // Oldest first out: expired cards, then any beyond the bound. A card issued again (an EHR retrying the same
            // hookInstance) has a newer sequence in _cards, so its older queue entry must not remove it.
            var oldest = card.IssuedAt - _options.IssuedCardLifetime;
            while (_age.TryPeek(out var head) && (head.IssuedAt <= oldest || _cards.Count > _options.MaxIssuedCardsInMemory || _age.Count > 2 * _options.MaxIssuedCardsInMemory))
            {
                _age.Dequeue();
                if (_cards.TryGetValue(head.Card, out var current) && current.Sequence == head.Sequence)
                {
                    _cards.Remove(head.Card);
                }
            }
        }
    }

    private static string? Text(JsonNode? node) =>
        node is JsonValue value && value.TryGetValue<string>(out var text) && text.Length > 0 ? text : null;
}
