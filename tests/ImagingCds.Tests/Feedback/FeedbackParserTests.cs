using System.Text;
using ImagingCds.Feedback;

namespace ImagingCds.Tests.Feedback;

public sealed class FeedbackParserTests
{
    private const string Card = "6f1c2b7e-3d4a-4b8e-9c1d-2e3f4a5b6c7d";

    private static FeedbackItem ParseOne(string item)
    {
        var items = FeedbackParser.Parse(Encoding.UTF8.GetBytes($$$$"""{"feedback": [{{{{item}}}}]}"""), out var error);
        Assert.True(error is null, error?.ToString());
        return Assert.Single(items!);
    }

    [Fact]
    public void Parse_SpecificationOverrideReason_ReadsCodingAndComment()
    {
        var item = ParseOne($$$$"""
            {"card": "{{{{Card}}}}", "outcome": "overridden", "outcomeTimestamp": "2026-11-20T09:15:00.5Z",
             "overrideReason": {"reason": {"system": "http://example.org/reasons", "code": "patient-declined", "display": "Patient declined"}, "userComment": "next visit"}}
            """);

        Assert.Equal(Guid.Parse(Card), item.Card);
        Assert.Equal(FeedbackOutcome.Overridden, item.Outcome);
        Assert.Equal([new ReasonCoding("patient-declined", "http://example.org/reasons", "Patient declined")], item.OverrideReasons);
        Assert.Equal("next visit", item.UserComment);
        Assert.Equal(new DateTimeOffset(2026, 11, 20, 9, 15, 0, 500, TimeSpan.Zero), item.OutcomeTimestamp);
    }

    [Fact]
    public void Parse_OverrideReasonAsBareCoding_ReadsTheCoding()
    {
        var item = ParseOne($$$$"""{"card": "{{{{Card}}}}", "outcome": "overridden", "overrideReason": {"code": "already-imaged", "system": "urn:oid:1.2.3"}}""");

        Assert.Equal([new ReasonCoding("already-imaged", "urn:oid:1.2.3", null)], item.OverrideReasons);
        Assert.Null(item.UserComment);
    }

    [Fact]
    public void Parse_EpicOverrideReasonsOfWrappersAndCodings_ReadsEveryReasonInOrder()
    {
        var item = ParseOne($$$$"""
            {"card": "{{{{Card}}}}", "outcome": "overridden",
             "overrideReasons": [{"reason": {"code": "a"}, "userComment": "first"}, {"code": "b", "display": "B"}, {"userComment": "second"}]}
            """);

        Assert.Equal([new ReasonCoding("a", null, null), new ReasonCoding("b", null, "B")], item.OverrideReasons);
        Assert.Equal("first\nsecond", item.UserComment);
    }

    [Fact]
    public void Parse_OverriddenWithoutReason_IsAccepted()
    {
        var item = ParseOne($$$$"""{"card": "{{{{Card}}}}", "outcome": "overridden"}""");

        Assert.Empty(item.OverrideReasons);
        Assert.Null(item.OutcomeTimestamp);
    }

    [Fact]
    public void Parse_AcceptedWithNullOrEmptyOverrideFields_IsAccepted()
    {
        var item = ParseOne($$$$"""{"card": "{{{{Card}}}}", "outcome": "accepted", "overrideReason": null, "overrideReasons": [], "acceptedSuggestions": null}""");

        Assert.Equal(FeedbackOutcome.Accepted, item.Outcome);
        Assert.Empty(item.AcceptedSuggestions);
    }

    [Fact]
    public void Parse_UnknownFields_AreIgnored()
    {
        var item = ParseOne($$$$"""{"card": "{{{{Card}}}}", "outcome": "accepted", "extension": {"com.example": 1}}""");

        Assert.Equal(FeedbackOutcome.Accepted, item.Outcome);
    }

    [Fact]
    public void Parse_TimestampWithOffset_IsKeptAsUtc()
    {
        var item = ParseOne($$$$"""{"card": "{{{{Card}}}}", "outcome": "accepted", "outcomeTimestamp": "2026-11-20T10:15:00+01:00"}""");

        Assert.Equal(TimeSpan.Zero, item.OutcomeTimestamp!.Value.Offset);
        Assert.Equal(9, item.OutcomeTimestamp.Value.Hour);
    }

    [Fact]
    public void ToString_WithUserComment_LeavesTheCommentOut()
    {
        var item = ParseOne($$$$"""{"card": "{{{{Card}}}}", "outcome": "overridden", "overrideReason": {"userComment": "private words"}}""");

        Assert.DoesNotContain("private", item.ToString(), StringComparison.Ordinal);
    }
}
