using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text.Json;
using Microsoft.Data.Sqlite;

namespace ImagingCds.Feedback;

/// <summary>
/// Feedback and issued cards in one SQLite file: table <c>feedback</c>, one row per feedback entry received, and
/// table <c>issued_cards</c>, one row per card issued within <see cref="FeedbackOptions.IssuedCardLifetime"/>.
/// </summary>
/// <remarks>
/// <para>Thread safe: every call opens its own (pooled) connection; SQLite serializes writers and the busy timeout
/// waits for the lock. The file is in WAL mode and every connection uses <c>synchronous=FULL</c>, so a stored entry has
/// reached the disk when <see cref="AddAsync"/> returns. All SQL is parameterized.</para>
/// <para>Instants are stored as UTC text <c>yyyy-MM-ddTHH:mm:ss.fffffffZ</c>, which sorts as it compares. Lists are
/// JSON text (SQLite's <c>json_each</c> reads them in ad-hoc queries).</para>
/// </remarks>
public sealed class FeedbackStore
{
    /// <summary>Schema version in <c>PRAGMA user_version</c> (set at the end of <c>Schema</c>); a newer file is refused.</summary>
    public const int SchemaVersion = 1;

    private const string InstantFormat = "yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'";

    private const string Schema = """
        CREATE TABLE IF NOT EXISTS feedback (
            id INTEGER PRIMARY KEY,
            card_uuid TEXT NOT NULL,
            outcome TEXT NOT NULL CHECK (outcome IN ('accepted', 'overridden')),
            accepted_suggestions TEXT NOT NULL,
            override_reason_code TEXT,
            override_reason_system TEXT,
            override_reason_display TEXT,
            override_reasons TEXT NOT NULL,
            user_comment TEXT,
            outcome_timestamp TEXT,
            received_at TEXT NOT NULL,
            card_entries TEXT NOT NULL
        );
        CREATE UNIQUE INDEX IF NOT EXISTS feedback_resent ON feedback (card_uuid, outcome, outcome_timestamp);
        CREATE TABLE IF NOT EXISTS issued_cards (
            card_uuid TEXT PRIMARY KEY,
            entries TEXT NOT NULL,
            issued_at TEXT NOT NULL,
            expires_at TEXT NOT NULL
        );
        CREATE INDEX IF NOT EXISTS issued_cards_expiry ON issued_cards (expires_at);
        PRAGMA user_version = 1;
        """;

    private readonly string _connectionString;

    /// <param name="databasePath">The SQLite file; its folder must exist (see <see cref="ResolvePath"/>).</param>
    public FeedbackStore(string databasePath)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(databasePath);
        DatabasePath = databasePath;
        _connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = databasePath,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Pooling = true,
            DefaultTimeout = 10,
        }.ToString();
    }

    public string DatabasePath { get; }

    /// <summary>
    /// The database file for <paramref name="configured"/>, its folder created: a rooted path as is; a relative one
    /// under <paramref name="contentRoot"/>, else (folder not creatable or not writable) under the temporary folder.
    /// </summary>
    /// <param name="fellBack">True when the temporary folder was used.</param>
    /// <exception cref="IOException">A rooted path whose folder cannot be created.</exception>
    /// <exception cref="UnauthorizedAccessException">As above.</exception>
    public static string ResolvePath(string configured, string contentRoot, out bool fellBack)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(configured);
        fellBack = false;
        if (Path.IsPathRooted(configured))
        {
            Directory.CreateDirectory(Path.GetDirectoryName(configured)!);
            return configured;
        }

        var preferred = Path.GetFullPath(Path.Combine(contentRoot, configured));
        if (Writable(Path.GetDirectoryName(preferred)!))
        {
            return preferred;
        }

        fellBack = true;
        var fallback = Path.GetFullPath(Path.Combine(Path.GetTempPath(), "imagingcds", configured));
        Directory.CreateDirectory(Path.GetDirectoryName(fallback)!);
        return fallback;
    }

    /// <summary>Creates the tables when missing (idempotent) and turns on WAL.</summary>
    /// <exception cref="InvalidOperationException">The file was written by a newer schema.</exception>
    public async Task InitializeAsync(CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using (var version = Command(connection, "PRAGMA user_version;"))
        {
            var found = Convert.ToInt32(await version.ExecuteScalarAsync(cancellationToken), CultureInfo.InvariantCulture);
            if (found > SchemaVersion)
            {
                throw new InvalidOperationException($"{DatabasePath}: feedback schema version {found} is newer than this service's ({SchemaVersion})");
            }
        }

        await using (var wal = Command(connection, "PRAGMA journal_mode = WAL;"))
        {
            await wal.ExecuteNonQueryAsync(cancellationToken);
        }

        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await using (var schema = Command(connection, Schema))
        {
            schema.Transaction = (SqliteTransaction)transaction;
            await schema.ExecuteNonQueryAsync(cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
    }

    /// <summary>Stores the entries in one transaction; an entry identical to a stored one (an EHR's resend) is skipped.</summary>
    /// <returns>How many entries were new.</returns>
    public async Task<int> AddAsync(IReadOnlyList<StoredFeedback> entries, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(entries);
        if (entries.Count == 0)
        {
            return 0;
        }

        await using var connection = await OpenAsync(cancellationToken);
        await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(cancellationToken);
        await using var insert = Command(connection, """
            INSERT INTO feedback (card_uuid, outcome, accepted_suggestions, override_reason_code, override_reason_system,
                override_reason_display, override_reasons, user_comment, outcome_timestamp, received_at, card_entries)
            VALUES ($card, $outcome, $suggestions, $code, $system, $display, $reasons, $comment, $timestamp, $received, $entries)
            ON CONFLICT (card_uuid, outcome, outcome_timestamp) DO NOTHING;
            """);
        insert.Transaction = transaction;
        var added = 0;
        foreach (var entry in entries)
        {
            var item = entry.Item;
            var first = item.OverrideReasons.FirstOrDefault();
            insert.Parameters.Clear();
            insert.Parameters.AddWithValue("$card", item.Card.ToString("D"));
            insert.Parameters.AddWithValue("$outcome", item.Outcome.Wire());
            insert.Parameters.AddWithValue("$suggestions", JsonSerializer.Serialize(item.AcceptedSuggestions.ToArray(), FeedbackJson.Default.GuidArray));
            insert.Parameters.AddWithValue("$code", (object?)first?.Code ?? DBNull.Value);
            insert.Parameters.AddWithValue("$system", (object?)first?.System ?? DBNull.Value);
            insert.Parameters.AddWithValue("$display", (object?)first?.Display ?? DBNull.Value);
            insert.Parameters.AddWithValue("$reasons", JsonSerializer.Serialize(item.OverrideReasons.ToArray(), FeedbackJson.Default.ReasonCodingArray));
            insert.Parameters.AddWithValue("$comment", (object?)item.UserComment ?? DBNull.Value);
            insert.Parameters.AddWithValue("$timestamp", item.OutcomeTimestamp is { } at ? Text(at) : DBNull.Value);
            insert.Parameters.AddWithValue("$received", Text(entry.ReceivedAt));
            insert.Parameters.AddWithValue("$entries", JsonSerializer.Serialize(entry.Entries.ToArray(), FeedbackJson.Default.CardEntryArray));
            added += await insert.ExecuteNonQueryAsync(cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
        return added;
    }

    /// <summary>Every stored feedback entry, oldest first, read as it streams (memory stays flat).</summary>
    public async IAsyncEnumerable<StoredFeedback> ReadAllAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var select = Command(connection, """
            SELECT card_uuid, outcome, accepted_suggestions, override_reasons, user_comment, outcome_timestamp, received_at, card_entries
            FROM feedback ORDER BY id;
            """);
        await using var reader = await select.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            var item = new FeedbackItem(
                Guid.Parse(reader.GetString(0)),
                reader.GetString(1) == "accepted" ? FeedbackOutcome.Accepted : FeedbackOutcome.Overridden,
                JsonSerializer.Deserialize(reader.GetString(2), FeedbackJson.Default.GuidArray) ?? [],
                JsonSerializer.Deserialize(reader.GetString(3), FeedbackJson.Default.ReasonCodingArray) ?? [],
                reader.IsDBNull(4) ? null : reader.GetString(4),
                reader.IsDBNull(5) ? null : Instant(reader.GetString(5)));
            yield return new StoredFeedback(item, Entries(reader.GetString(7)), Instant(reader.GetString(6)));
        }
    }

    /// <summary>Remembers issued cards until <paramref name="lifetime"/> after their issue; a card issued again is replaced.</summary>
    public async Task SaveIssuedAsync(IReadOnlyList<IssuedCard> cards, TimeSpan lifetime, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(cards);
        if (cards.Count == 0)
        {
            return;
        }

        await using var connection = await OpenAsync(cancellationToken);
        await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(cancellationToken);
        await using var upsert = Command(connection, """
            INSERT INTO issued_cards (card_uuid, entries, issued_at, expires_at) VALUES ($card, $entries, $issued, $expires)
            ON CONFLICT (card_uuid) DO UPDATE SET entries = excluded.entries, issued_at = excluded.issued_at, expires_at = excluded.expires_at;
            """);
        upsert.Transaction = transaction;
        foreach (var card in cards)
        {
            upsert.Parameters.Clear();
            upsert.Parameters.AddWithValue("$card", card.Card.ToString("D"));
            upsert.Parameters.AddWithValue("$entries", JsonSerializer.Serialize(card.Entries.ToArray(), FeedbackJson.Default.CardEntryArray));
            upsert.Parameters.AddWithValue("$issued", Text(card.IssuedAt));
            upsert.Parameters.AddWithValue("$expires", Text(card.IssuedAt + lifetime));
            await upsert.ExecuteNonQueryAsync(cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
    }

    /// <summary>The card's entries if it was issued and has not expired at <paramref name="now"/>; otherwise null.</summary>
    public async Task<IssuedCard?> FindIssuedAsync(Guid card, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var select = Command(connection, "SELECT entries, issued_at FROM issued_cards WHERE card_uuid = $card AND expires_at > $now;");
        select.Parameters.AddWithValue("$card", card.ToString("D"));
        select.Parameters.AddWithValue("$now", Text(now));
        await using var reader = await select.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken)
            ? new IssuedCard(card, Entries(reader.GetString(0)), Instant(reader.GetString(1)))
            : null;
    }

    /// <summary>Deletes issued cards expired at <paramref name="now"/>; returns how many.</summary>
    public async Task<int> PurgeIssuedAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var delete = Command(connection, "DELETE FROM issued_cards WHERE expires_at <= $now;");
        delete.Parameters.AddWithValue("$now", Text(now));
        return await delete.ExecuteNonQueryAsync(cancellationToken);
    }

    private async Task<SqliteConnection> OpenAsync(CancellationToken cancellationToken)
    {
        var connection = new SqliteConnection(_connectionString);
        try
        {
            await connection.OpenAsync(cancellationToken);

            // Per connection: with WAL, FULL syncs the log at each commit, so a 200 means the entry is on disk.
            await using var durable = Command(connection, "PRAGMA synchronous = FULL;");
            await durable.ExecuteNonQueryAsync(cancellationToken);
            return connection;
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    private static SqliteCommand Command(SqliteConnection connection, string sql)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        return command;
    }

    private static CardEntry[] Entries(string json) => JsonSerializer.Deserialize(json, FeedbackJson.Default.CardEntryArray) ?? [];

    private static string Text(DateTimeOffset instant) => instant.UtcDateTime.ToString(InstantFormat, CultureInfo.InvariantCulture);

    private static DateTimeOffset Instant(string text) =>
        DateTimeOffset.ParseExact(text, InstantFormat, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal);

    private static bool Writable(string folder)
    {
        try
        {
            Directory.CreateDirectory(folder);
            var probe = Path.Combine(folder, $".write-probe-{Guid.NewGuid():N}");
            File.WriteAllBytes(probe, []);
            File.Delete(probe);
            return true;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }
}
