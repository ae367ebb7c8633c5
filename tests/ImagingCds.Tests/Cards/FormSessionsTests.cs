using System.Text.Json;
using System.Text.Json.Nodes;
using ImagingCds.Cards;
using ImagingCds.Fhir;
using ImagingCds.Hooks;
using ImagingCds.Record;
using ImagingCds.Tests.Support;
using Microsoft.Extensions.Options;

namespace ImagingCds.Tests.Cards;

public sealed class FormSessionsTests
{
    private static readonly DateTimeOffset Start = new(2026, 11, 20, 9, 0, 0, TimeSpan.Zero);
    private static readonly DraftOrder Order = new(new ServiceRequest { Id = "o" }, default, "72148", "ServiceRequest/o", new DateOnly(2026, 11, 20));

    private static FormSessions Store(FakeClock clock, int maxSessions = 10_000, long maxBytes = 64L << 20) =>
        new(clock, Options.Create(new FormOptions { TimeToLive = TimeSpan.FromMinutes(30), MaxSessions = maxSessions, MaxRetainedBytes = maxBytes }));

    /// <summary>A record of <paramref name="observations"/> Observations (plus nothing else).</summary>
    private static PatientRecord Record(int observations)
    {
        var builder = new RecordBuilder("p");
        var entries = new JsonArray(Enumerable.Range(0, observations).Select(i => (JsonNode)new JsonObject
        {
            ["resource"] = new JsonObject
            {
                ["resourceType"] = "Observation", ["id"] = $"o{i}", ["status"] = "final",
                ["subject"] = new JsonObject { ["reference"] = "Patient/p" }, ["code"] = new JsonObject { ["text"] = "x" },
            },
        }).ToArray());
        using var bundle = JsonDocument.Parse(new JsonObject { ["resourceType"] = "Bundle", ["type"] = "searchset", ["entry"] = entries }.ToJsonString());
        builder.AddJson(bundle.RootElement, "observations");
        return builder.Build();
    }

    private static FormSession Open(FormSessions store, PatientRecord record) => store.Open(record, Order, "policy", "rule", "Practitioner/1", "http://127.0.0.1");

    [Fact]
    public void ExpiredForms_AreGone_AndTheirRecordsReleased()
    {
        var clock = new FakeClock(Start);
        var store = Store(clock);
        var first = Open(store, Record(10));
        clock.Advance(TimeSpan.FromMinutes(31));
        var second = Open(store, Record(20));

        Assert.Null(store.Find(first.Token));
        Assert.NotNull(store.Find(second.Token));
        Assert.Equal(second.Record.Bytes, store.RetainedBytes);
        Assert.Equal(20, second.Record.Restore().Observations.Count);
    }

    [Fact]
    public void OverTheByteBudget_TheOldestCallsFormsGoFirst_NeverTheNewest()
    {
        var clock = new FakeClock(Start);
        var oldRecord = Record(600);
        var newRecord = Record(600);
        var oneRecord = RecordSnapshot.Of(oldRecord).Bytes;
        var store = Store(clock, maxBytes: oneRecord * 3 / 2);
        var oldForms = new[] { Open(store, oldRecord), Open(store, oldRecord) };
        Assert.Same(oldForms[0].Record, oldForms[1].Record);
        var newest = Open(store, newRecord);

        // Two records would be held: the older call's forms (sharing one snapshot) go together.
        Assert.All(oldForms, f => Assert.Null(store.Find(f.Token)));
        Assert.NotNull(store.Find(newest.Token));
        Assert.Equal(newest.Record.Bytes, store.RetainedBytes);

        // A single record over the whole budget still gets its form: its link is about to be sent.
        var huge = Open(store, Record(1_500));
        Assert.NotNull(store.Find(huge.Token));
        Assert.Null(store.Find(newest.Token));
        Assert.Equal(huge.Record.Bytes, store.RetainedBytes);
    }

    [Fact]
    public void OverTheSessionCap_TheOldestGoFirst()
    {
        var clock = new FakeClock(Start);
        var store = Store(clock, maxSessions: 10);
        var forms = Enumerable.Range(0, 12).Select(_ => Open(store, Record(1))).ToArray();

        Assert.Equal(10, store.Count);
        Assert.Null(store.Find(forms[0].Token));
        Assert.Null(store.Find(forms[1].Token));
        Assert.All(forms[2..], f => Assert.NotNull(store.Find(f.Token)));
        Assert.Equal(forms[2..].Sum(f => f.Record.Bytes), store.RetainedBytes);
    }
}
