using ImagingCds.Feedback;

namespace ImagingCds.Tests.Feedback;

public sealed class FeedbackSummaryTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 20, 9, 0, 0, TimeSpan.Zero);

    private static StoredFeedback Stored(FeedbackOutcome outcome, string[] reasons, params CardEntry[] entries) => new(
        new FeedbackItem(Guid.NewGuid(), outcome, [], [.. reasons.Select(r => new ReasonCoding(r, null, null))], null, null), entries, Now);

    private static async IAsyncEnumerable<StoredFeedback> Stream(params StoredFeedback[] feedback)
    {
        foreach (var stored in feedback)
        {
            await Task.Yield();
            yield return stored;
        }
    }

    [Fact]
    public async Task SummarizeAsync_MixedFeedback_CountsOverallPerPolicyVerdictAndRule()
    {
        var a = new CardEntry("72148", "p-a", "appropriate", ["a-1", "a-2"]);
        var b = new CardEntry("72148", "p-b", "not-appropriate", ["b-1"]);

        var summary = await FeedbackSummary.SummarizeAsync(Stream(
            Stored(FeedbackOutcome.Accepted, [], a, b),
            Stored(FeedbackOutcome.Overridden, ["declined", "imaged"], a),
            Stored(FeedbackOutcome.Overridden, ["declined"], b),
            Stored(FeedbackOutcome.Overridden, [])), CancellationToken.None);

        Assert.Equal(new OutcomeCounts(1, 3, null), summary.Overall with { OverrideReasons = null });
        Assert.Equal(2, summary.Overall.OverrideReasons!["declined"]);
        Assert.Equal(1, summary.Overall.OverrideReasons["imaged"]);
        Assert.Equal((0, 1, (IReadOnlyDictionary<string, int>?)null), (summary.Unmatched!.Accepted, summary.Unmatched.Overridden, summary.Unmatched.OverrideReasons));
        var policyA = summary.Policies!["p-a"];
        Assert.Equal((1, 1), (policyA.Accepted, policyA.Overridden));
        Assert.Equal(1, policyA.Rules!["a-2"].OverrideReasons!["imaged"]);
        Assert.Equal(1, policyA.Verdicts["appropriate"].Accepted);
        var policyB = summary.Policies["p-b"];
        Assert.Equal((1, 1), (policyB.Rules!["b-1"].Accepted, policyB.Rules["b-1"].Overridden));
        Assert.Equal(["p-a", "p-b"], summary.Policies.Keys);
    }

    [Fact]
    public async Task SummarizeAsync_SamePolicyTwiceOnOneCard_CountsTheEntryOnce()
    {
        var summary = await FeedbackSummary.SummarizeAsync(Stream(Stored(FeedbackOutcome.Accepted, [],
            new CardEntry("72148", "p-a", "appropriate", ["a-1"]), new CardEntry("72149", "p-a", "appropriate", ["a-1"]))), CancellationToken.None);

        Assert.Equal(1, summary.Policies!["p-a"].Accepted);
        Assert.Equal(1, summary.Policies["p-a"].Rules!["a-1"].Accepted);
    }

    [Fact]
    public async Task SummarizeAsync_Nothing_IsZeroWithoutPolicies()
    {
        var summary = await FeedbackSummary.SummarizeAsync(Stream(), CancellationToken.None);

        Assert.Equal(new OutcomeCounts(0, 0, null), summary.Overall);
        Assert.Null(summary.Unmatched);
        Assert.Null(summary.Policies);
    }
}
