using System.Text.Json.Nodes;
using ImagingCds.Facts;
using ImagingCds.Feedback;
using ImagingCds.Guidelines;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace ImagingCds.Tests.Feedback;

public sealed class IssuedCardsTests(FeedbackHost host) : IClassFixture<FeedbackHost>
{
    private static readonly DateTimeOffset Now = new(2026, 11, 20, 9, 0, 0, TimeSpan.Zero);

    private static Rule Rule(string id) => new(id, RuleKind.Indication, id, "S-1", [], new AllOf([]), [], null, null, 1);

    private static Finding Finding(string order, string policy, Verdict verdict, params string[] rules) =>
        new(order, "72148", policy, verdict, [], [], [], [.. rules.Select(r => new RuleResult(Rule(r), Truth.True, false, []))], null);

    private static JsonObject Card(Guid uuid, params (string Order, string Policy, string Verdict)[] entries) => new()
    {
        ["uuid"] = uuid.ToString(),
        ["summary"] = "s",
        ["extension"] = new JsonObject
        {
            ["appropriateness"] = new JsonArray([.. entries.Select(e => (JsonNode)new JsonObject
            {
                ["order"] = e.Order, ["cpt"] = "72148", ["policy"] = e.Policy, ["verdict"] = e.Verdict,
            })]),
        },
    };

    private async Task<(IssuedCards Cards, FeedbackStore Store, FakeTime Time)> NewAsync(int maxInMemory = 100)
    {
        var store = new FeedbackStore(FeedbackStore.ResolvePath(host.NewDatabasePath(), "/", out _));
        await store.InitializeAsync(CancellationToken.None);
        var time = new FakeTime(Now);
        var options = Options.Create(new FeedbackOptions { IssuedCardLifetime = TimeSpan.FromHours(24), MaxIssuedCardsInMemory = maxInMemory });
        return (new IssuedCards(store, time, options, NullLogger<IssuedCards>.Instance), store, time);
    }

    [Fact]
    public void Extract_CardsWithEntries_JoinsDecisiveRulesByOrderAndPolicy()
    {
        var (first, second) = (Guid.NewGuid(), Guid.NewGuid());
        var response = new JsonObject
        {
            ["cards"] = new JsonArray(
                Card(first, ("ServiceRequest/1", "p-a", "appropriate"), ("ServiceRequest/1", "p-b", "needs-documentation")),
                Card(second, ("ServiceRequest/2", "p-a", "error"))),
        };
        Finding[] findings =
        [
            Finding("ServiceRequest/1", "p-a", Verdict.Appropriate, "a-1", "a-2"),
            Finding("ServiceRequest/1", "p-b", Verdict.NeedsDocumentation, "b-1"),
            Finding("ServiceRequest/2", "p-a", Verdict.Error),
        ];

        var cards = IssuedCards.Extract(response, findings, Now);

        Assert.Equal(2, cards.Count);
        Assert.Equal(first, cards[0].Card);
        Assert.Equal(["a-1", "a-2"], cards[0].Entries[0].Rules);
        Assert.Equal(new CardEntry("72148", "p-b", "needs-documentation", ["b-1"]), cards[0].Entries[1]);
        Assert.Equal(new CardEntry("72148", "p-a", "error", []), Assert.Single(cards[1].Entries));
        Assert.All(cards, c => Assert.Equal(Now, c.IssuedAt));
    }

    [Fact]
    public void Extract_NoCardsOrNoUuid_IsEmpty()
    {
        var response = new JsonObject { ["cards"] = new JsonArray(new JsonObject { ["summary"] = "no uuid" }) };

        Assert.Empty(IssuedCards.Extract(response, [], Now));
        Assert.Empty(IssuedCards.Extract(new JsonObject(), [], Now));
    }

    [Fact]
    public async Task FindAsync_RecordedCard_IsFoundInMemoryUntilItExpires()
    {
        var (cards, _, time) = await NewAsync();
        var uuid = Guid.NewGuid();
        cards.Record(new JsonObject { ["cards"] = new JsonArray(Card(uuid, ("ServiceRequest/1", "p-a", "appropriate"))) }, []);

        var found = await cards.FindAsync(uuid, time.GetUtcNow(), CancellationToken.None);
        time.Advance(TimeSpan.FromHours(24));
        var expired = await cards.FindAsync(uuid, time.GetUtcNow(), CancellationToken.None);

        Assert.Equal("p-a", Assert.Single(found!.Entries).Policy);
        Assert.Null(expired);
    }

    [Fact]
    public async Task FindAsync_NotInMemory_IsReadFromTheDatabase()
    {
        var (cards, store, _) = await NewAsync();
        var saved = new IssuedCard(Guid.NewGuid(), [new CardEntry("72148", "p-a", "appropriate", ["a-1"])], Now);
        await store.SaveIssuedAsync([saved], TimeSpan.FromHours(24), CancellationToken.None);

        var found = await cards.FindAsync(saved.Card, Now, CancellationToken.None);

        Assert.Equal(saved.Entries, found!.Entries);
    }

    [Fact]
    public async Task Record_BeyondTheMemoryBound_DropsTheOldestFirst()
    {
        var (cards, _, time) = await NewAsync(maxInMemory: 100);
        var uuids = Enumerable.Range(0, 150).Select(_ => Guid.NewGuid()).ToArray();
        foreach (var uuid in uuids)
        {
            cards.Record(new JsonObject { ["cards"] = new JsonArray(Card(uuid, ("ServiceRequest/1", "p-a", "appropriate"))) }, []);
            time.Advance(TimeSpan.FromSeconds(1));
        }

        Assert.Equal(100, cards.Count);
        Assert.Null(await cards.FindAsync(uuids[0], time.GetUtcNow(), CancellationToken.None));
        Assert.NotNull(await cards.FindAsync(uuids[^1], time.GetUtcNow(), CancellationToken.None));
    }

    [Fact]
    public async Task Record_SameCardIssuedAgain_KeepsTheNewerOne()
    {
        var (cards, _, time) = await NewAsync();
        var uuid = Guid.NewGuid();
        cards.Record(new JsonObject { ["cards"] = new JsonArray(Card(uuid, ("ServiceRequest/1", "p-a", "needs-documentation"))) }, []);
        time.Advance(TimeSpan.FromHours(20));
        cards.Record(new JsonObject { ["cards"] = new JsonArray(Card(uuid, ("ServiceRequest/1", "p-a", "appropriate"))) }, []);
        time.Advance(TimeSpan.FromHours(10));

        var found = await cards.FindAsync(uuid, time.GetUtcNow(), CancellationToken.None);

        Assert.Equal("appropriate", Assert.Single(found!.Entries).Verdict);
        Assert.Equal(1, cards.Count);
    }
}
