using ImagingCds.Feedback;
using Microsoft.Data.Sqlite;

namespace ImagingCds.Tests.Feedback;

public sealed class FeedbackStoreTests(FeedbackHost host) : IClassFixture<FeedbackHost>
{
    private static readonly DateTimeOffset Now = new(2026, 11, 20, 9, 0, 0, TimeSpan.Zero);
    private static readonly CardEntry Entry = new("72148", "evicore-cigna-spine", "appropriate", ["t-1-adult"]);

    private static FeedbackItem Item(Guid card, FeedbackOutcome outcome = FeedbackOutcome.Overridden, DateTimeOffset? at = null) => new(
        card, outcome, [], outcome == FeedbackOutcome.Overridden ? [new ReasonCoding("patient-declined", "http://example.org", "Patient declined")] : [],
        outcome == FeedbackOutcome.Overridden ? "comment" : null, at);

    private async Task<FeedbackStore> NewStoreAsync(string? path = null)
    {
        var store = new FeedbackStore(FeedbackStore.ResolvePath(path ?? host.NewDatabasePath(), "/", out _));
        await store.InitializeAsync(CancellationToken.None);
        return store;
    }

    private static async Task<List<StoredFeedback>> ReadAsync(FeedbackStore store)
    {
        var all = new List<StoredFeedback>();
        await foreach (var stored in store.ReadAllAsync(CancellationToken.None))
        {
            all.Add(stored);
        }

        return all;
    }

    [Fact]
    public async Task AddAsync_ThenAnotherStoreOverTheSameFile_ReadsEveryField()
    {
        var path = host.NewDatabasePath();
        var card = Guid.NewGuid();
        var suggestion = Guid.NewGuid();
        var first = await NewStoreAsync(path);
        await first.AddAsync(
        [
            new StoredFeedback(Item(card, at: Now.AddMinutes(-5)), [Entry], Now),
            new StoredFeedback(new FeedbackItem(card, FeedbackOutcome.Accepted, [suggestion], [], null, null), [], Now),
        ], CancellationToken.None);

        var second = await NewStoreAsync(path);
        var stored = await ReadAsync(second);

        Assert.Equal(2, stored.Count);
        Assert.Equal(card, stored[0].Item.Card);
        Assert.Equal(Now.AddMinutes(-5), stored[0].Item.OutcomeTimestamp);
        Assert.Equal("comment", stored[0].Item.UserComment);
        Assert.Equal(Item(card).OverrideReasons, stored[0].Item.OverrideReasons);
        Assert.Equal(Entry, Assert.Single(stored[0].Entries));
        Assert.Equal(Now, stored[0].ReceivedAt);
        Assert.Equal([suggestion], stored[1].Item.AcceptedSuggestions);
        Assert.Null(stored[1].Item.OutcomeTimestamp);
        Assert.Empty(stored[1].Entries);
    }

    [Fact]
    public async Task AddAsync_IdenticalEntryTwice_StoresOnce()
    {
        var store = await NewStoreAsync();
        var entry = new StoredFeedback(Item(Guid.NewGuid(), at: Now), [Entry], Now);

        var added = await store.AddAsync([entry], CancellationToken.None) + await store.AddAsync([entry with { ReceivedAt = Now.AddSeconds(3) }], CancellationToken.None);

        Assert.Equal(1, added);
        Assert.Single(await ReadAsync(store));
    }

    [Fact]
    public async Task AddAsync_WithoutTimestampTwice_StoresBoth()
    {
        var store = await NewStoreAsync();
        var entry = new StoredFeedback(Item(Guid.NewGuid()), [], Now);

        await store.AddAsync([entry, entry], CancellationToken.None);

        Assert.Equal(2, (await ReadAsync(store)).Count);
    }

    [Fact]
    public async Task FindIssuedAsync_BeforeAndAfterExpiry_FindsThenForgets()
    {
        var path = host.NewDatabasePath();
        var card = new IssuedCard(Guid.NewGuid(), [Entry], Now);
        await (await NewStoreAsync(path)).SaveIssuedAsync([card], TimeSpan.FromHours(24), CancellationToken.None);
        var store = await NewStoreAsync(path);

        var found = await store.FindIssuedAsync(card.Card, Now.AddHours(23), CancellationToken.None);
        var expired = await store.FindIssuedAsync(card.Card, Now.AddHours(24), CancellationToken.None);

        Assert.Equal(Entry, Assert.Single(found!.Entries));
        Assert.Equal(Now, found.IssuedAt);
        Assert.Null(expired);
    }

    [Fact]
    public async Task PurgeIssuedAsync_ExpiredCards_AreDeleted()
    {
        var store = await NewStoreAsync();
        await store.SaveIssuedAsync([new IssuedCard(Guid.NewGuid(), [Entry], Now), new IssuedCard(Guid.NewGuid(), [Entry], Now.AddHours(2))], TimeSpan.FromHours(1), CancellationToken.None);

        Assert.Equal(1, await store.PurgeIssuedAsync(Now.AddHours(1), CancellationToken.None));
    }

    [Fact]
    public async Task InitializeAsync_Twice_KeepsTheData()
    {
        var path = host.NewDatabasePath();
        var store = await NewStoreAsync(path);
        await store.AddAsync([new StoredFeedback(Item(Guid.NewGuid()), [], Now)], CancellationToken.None);

        await store.InitializeAsync(CancellationToken.None);

        Assert.Single(await ReadAsync(store));
    }

    [Fact]
    public async Task InitializeAsync_NewerSchema_Refuses()
    {
        var path = host.NewDatabasePath();
        await NewStoreAsync(path);
        await using (var connection = new SqliteConnection($"Data Source={path}"))
        {
            await connection.OpenAsync();
            await using var command = connection.CreateCommand();
            command.CommandText = "PRAGMA user_version = 99;";
            await command.ExecuteNonQueryAsync();
        }

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => new FeedbackStore(path).InitializeAsync(CancellationToken.None));

        Assert.Contains("99", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ResolvePath_RelativeUnderWritableRoot_IsUnderTheRootWithFolderCreated()
    {
        var root = Path.GetDirectoryName(host.NewDatabasePath())!;

        var path = FeedbackStore.ResolvePath("data/feedback.db", root, out var fellBack);

        Assert.False(fellBack);
        Assert.Equal(Path.Combine(root, "data", "feedback.db"), path);
        Assert.True(Directory.Exists(Path.Combine(root, "data")));
    }

    [Fact]
    public void ResolvePath_RelativeUnderUnwritableRoot_FallsBackToTheTemporaryFolder()
    {
        var root = Path.GetDirectoryName(host.NewDatabasePath())!;
        Directory.CreateDirectory(root);
        File.WriteAllText(Path.Combine(root, "data"), "a file where the folder should be");

        var path = FeedbackStore.ResolvePath("data/feedback.db", root, out var fellBack);

        Assert.True(fellBack);
        Assert.StartsWith(Path.GetTempPath(), path, StringComparison.Ordinal);
        for (var folder = Path.GetDirectoryName(path)!; folder.Length > Path.GetTempPath().Length && !Directory.EnumerateFileSystemEntries(folder).Any(); folder = Path.GetDirectoryName(folder)!)
        {
            Directory.Delete(folder);
        }
    }
}
